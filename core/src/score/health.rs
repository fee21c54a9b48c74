//! Deal health and next best action: rules over the deal's state, each giving a reason and a
//! recommended action in zh-CN and en.

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::Score;
use super::health_text as text;
use crate::deal::{CompetitorStatus, Contact, ContactRole, Deal, Influence, Stance};
use crate::i18n::LocalizedText;
use crate::pipeline::Pipeline;
use crate::timestamp::Timestamp;

/// A health rule.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthRule {
    /// No contact has the decision-maker role.
    NoDecisionMaker,
    /// A contact is a blocker, or an influential contact opposes us.
    BlockerPresent,
    /// No next step is agreed.
    NoNextStep,
    /// The agreed next step is past its due date.
    NextStepOverdue,
    /// The deal has been in its stage longer than the stage allows.
    StalledInStage,
    /// The expected close date was pushed back repeatedly.
    CloseDatePushedBack,
    /// A competitor is still active on the deal.
    CompetitorActive,
    /// An influential stakeholder has not been contacted for too long.
    StakeholderSilent,
}

/// Points each rule takes off a perfect 100.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthPenalties {
    /// [`HealthRule::NoDecisionMaker`].
    pub no_decision_maker: u8,
    /// [`HealthRule::BlockerPresent`].
    pub blocker_present: u8,
    /// [`HealthRule::NoNextStep`].
    pub no_next_step: u8,
    /// [`HealthRule::NextStepOverdue`].
    pub next_step_overdue: u8,
    /// [`HealthRule::StalledInStage`].
    pub stalled_in_stage: u8,
    /// [`HealthRule::CloseDatePushedBack`].
    pub close_date_pushed_back: u8,
    /// [`HealthRule::CompetitorActive`].
    pub competitor_active: u8,
    /// [`HealthRule::StakeholderSilent`].
    pub stakeholder_silent: u8,
}

impl Default for HealthPenalties {
    fn default() -> Self {
        HealthPenalties {
            no_decision_maker: 20,
            blocker_present: 15,
            no_next_step: 15,
            next_step_overdue: 10,
            stalled_in_stage: 15,
            close_date_pushed_back: 10,
            competitor_active: 5,
            stakeholder_silent: 10,
        }
    }
}

impl HealthPenalties {
    fn of(&self, rule: HealthRule) -> u8 {
        match rule {
            HealthRule::NoDecisionMaker => self.no_decision_maker,
            HealthRule::BlockerPresent => self.blocker_present,
            HealthRule::NoNextStep => self.no_next_step,
            HealthRule::NextStepOverdue => self.next_step_overdue,
            HealthRule::StalledInStage => self.stalled_in_stage,
            HealthRule::CloseDatePushedBack => self.close_date_pushed_back,
            HealthRule::CompetitorActive => self.competitor_active,
            HealthRule::StakeholderSilent => self.stakeholder_silent,
        }
    }
}

/// Thresholds and penalties of the health rules. Serde configuration.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthSettings {
    /// Days without contact after which an influential stakeholder counts as silent.
    pub stakeholder_silence_days: u32,
    /// Pushes of the close date to a later day from which the deal counts as slipping.
    pub close_date_push_limit: u32,
    /// Points per rule.
    pub penalties: HealthPenalties,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            stakeholder_silence_days: 14,
            close_date_push_limit: 2,
            penalties: HealthPenalties::default(),
        }
    }
}

/// One rule that fired.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct HealthFinding {
    /// The rule.
    pub rule: HealthRule,
    /// Points it took off.
    pub penalty: u8,
    /// What is wrong, e.g. "no decision maker identified".
    pub reason: LocalizedText,
    /// What to do, e.g. "schedule a meeting with the decision maker".
    pub action: LocalizedText,
}

/// A deal's health.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct HealthReport {
    /// 100 minus the penalties of the rules that fired, at least 0.
    pub score: Score,
    /// The rules that fired, largest penalty first.
    pub findings: Vec<HealthFinding>,
}

impl HealthReport {
    /// The next best action: the action of the most penalised finding.
    pub fn next_best_action(&self) -> Option<&LocalizedText> {
        self.findings.first().map(|finding| &finding.action)
    }
}

/// Checks an open deal against every health rule as of `now`; `None` for a closed deal.
///
/// "Stalled in stage" uses the stage's `max_dwell_days` from `pipeline`, the deal's own
/// pipeline (skipped when the stage is unknown, has no limit, or `pipeline` is another one). A stakeholder is influential when their influence is high
/// or they are the decision maker; their last contact is the later of the contact's
/// `last_contacted` and the last follow-up they took part in.
pub fn deal_health(
    deal: &Deal,
    pipeline: &Pipeline,
    now: Timestamp,
    offset: UtcOffset,
    settings: &HealthSettings,
) -> Option<HealthReport> {
    if !deal.is_open() {
        return None;
    }
    let mut findings: Vec<(HealthRule, LocalizedText, LocalizedText)> = Vec::new();
    let decision_makers: Vec<&Contact> = deal
        .contacts
        .values()
        .filter(|contact| contact.role == ContactRole::DecisionMaker)
        .collect();
    if decision_makers.is_empty() {
        findings.push((
            HealthRule::NoDecisionMaker,
            text::no_decision_maker(),
            text::find_decision_maker(),
        ));
    }
    let blockers: Vec<&Contact> = deal
        .contacts
        .values()
        .filter(|contact| {
            contact.role == ContactRole::Blocker
                || (contact.stance == Stance::Opponent && contact.influence == Influence::High)
        })
        .collect();
    if !blockers.is_empty() {
        let names = names(&blockers);
        findings.push((
            HealthRule::BlockerPresent,
            text::blocker(&names),
            text::handle_blocker(&names),
        ));
    }
    let today = now.date_at(offset);
    match &deal.next_step {
        None => findings.push((
            HealthRule::NoNextStep,
            text::no_next_step(),
            text::agree_next_step(),
        )),
        Some(step) if step.due < today => {
            let days = (today - step.due).whole_days();
            findings.push((
                HealthRule::NextStepOverdue,
                text::next_step_overdue(&step.action, days),
                text::follow_up_next_step(&step.action),
            ));
        }
        Some(_) => {}
    }
    let stage_limit = deal
        .stage()
        .filter(|_| deal.pipeline == pipeline.id)
        .and_then(|stage| pipeline.stage(stage).ok())
        .and_then(|stage| stage.max_dwell_days.map(|days| (stage, days)));
    if let (Some((stage, limit)), Some(entered)) = (stage_limit, deal.stage_entered_at()) {
        let days = now.days_since(entered);
        if days > i64::from(limit) {
            findings.push((
                HealthRule::StalledInStage,
                text::stalled(&stage.label, days, limit),
                text::unstick(),
            ));
        }
    }
    let pushes = deal.close_date_push_count();
    if pushes >= settings.close_date_push_limit as usize && settings.close_date_push_limit > 0 {
        findings.push((
            HealthRule::CloseDatePushedBack,
            text::pushed_back(pushes),
            text::confirm_timeline(),
        ));
    }
    let competitors: Vec<&str> = deal
        .competitors
        .values()
        .filter(|competitor| competitor.status == CompetitorStatus::Active)
        .map(|competitor| competitor.name.as_str())
        .collect();
    if !competitors.is_empty() {
        let industry = deal.account.industry.as_deref().map(str::trim);
        findings.push((
            HealthRule::CompetitorActive,
            text::competitor_active(&competitors.join("、"), &competitors.join(", ")),
            text::send_reference_case(industry.filter(|industry| !industry.is_empty())),
        ));
    }
    let silence = i64::from(settings.stakeholder_silence_days);
    let silent: Vec<(&Contact, Option<i64>)> = deal
        .contacts
        .values()
        .filter(|contact| {
            contact.role != ContactRole::Blocker
                && (contact.influence == Influence::High
                    || contact.role == ContactRole::DecisionMaker)
        })
        .filter_map(|contact| {
            let days = last_contact(deal, contact).map(|last| now.days_since(last));
            match days {
                Some(days) if days <= silence => None,
                days => Some((contact, days)),
            }
        })
        .collect();
    if !silent.is_empty() {
        let contacts: Vec<&Contact> = silent.iter().map(|(contact, _)| *contact).collect();
        let names = names(&contacts);
        let longest = silent.iter().map(|(_, days)| *days).max().flatten();
        let never = silent.iter().any(|(_, days)| days.is_none());
        findings.push((
            HealthRule::StakeholderSilent,
            text::stakeholder_silent(&names, if never { None } else { longest }, silence),
            text::meet_stakeholder(&names),
        ));
    }
    let mut findings: Vec<HealthFinding> = findings
        .into_iter()
        .map(|(rule, reason, action)| HealthFinding {
            rule,
            penalty: settings.penalties.of(rule),
            reason,
            action,
        })
        .collect();
    findings.sort_by(|a, b| b.penalty.cmp(&a.penalty).then(a.rule.cmp(&b.rule)));
    let penalty: u32 = findings
        .iter()
        .map(|finding| u32::from(finding.penalty))
        .sum();
    let points = 100_u32.saturating_sub(penalty);
    Some(HealthReport {
        score: Score::from_ratio(u64::from(points), 100),
        findings,
    })
}

fn last_contact(deal: &Deal, contact: &Contact) -> Option<Timestamp> {
    let from_follow_ups = deal
        .follow_ups
        .values()
        .filter(|follow_up| follow_up.participants.contains(&contact.id))
        .map(|follow_up| follow_up.at)
        .max();
    contact.last_contacted.max(from_follow_ups)
}

/// Names with their role for display, e.g. "张总（决策者）" / "Zhang (decision maker)".
fn names(contacts: &[&Contact]) -> LocalizedText {
    let zh_cn: Vec<String> = contacts
        .iter()
        .map(|contact| format!("{}（{}）", contact.name, text::role(contact.role).zh_cn))
        .collect();
    let en: Vec<String> = contacts
        .iter()
        .map(|contact| format!("{} ({})", contact.name, text::role(contact.role).en))
        .collect();
    LocalizedText::new(zh_cn.join("、"), en.join(", "))
}

#[cfg(test)]
mod tests {
    use time::macros::{date, offset};

    use super::*;
    use crate::deal::{Competitor, DealStatus, FollowUp, FollowUpKind, NextStep};
    use crate::id::{ContactId, RecordId};
    use crate::test_deal::{day, move_to, open_deal, user};

    fn contact(id: &str, name: &str, role: ContactRole, influence: Influence) -> Contact {
        Contact {
            id: ContactId::new(id).unwrap(),
            name: name.into(),
            title: String::new(),
            role,
            stance: Stance::Neutral,
            influence,
            last_contacted: None,
            phone: String::new(),
            email: String::new(),
        }
    }

    fn add(deal: &mut Deal, contact: Contact) {
        deal.contacts.insert(contact.id.clone(), contact);
    }

    fn healthy_deal() -> Deal {
        let mut deal = open_deal("d", "demo", 100_000);
        deal.account.industry = Some("制造业".into());
        let mut boss = contact("zhang", "张总", ContactRole::DecisionMaker, Influence::High);
        boss.last_contacted = Some(day(25));
        add(&mut deal, boss);
        deal.next_step = Some(NextStep {
            action: "技术交流会".into(),
            due: date!(2026 - 02 - 05),
            owner: None,
        });
        move_to(&mut deal, 20, "demo", DealStatus::Open);
        deal
    }

    fn rules(report: &HealthReport) -> Vec<HealthRule> {
        report.findings.iter().map(|finding| finding.rule).collect()
    }

    #[test]
    fn a_healthy_deal_scores_100() {
        let pipeline = Pipeline::template_new_business();
        let report = deal_health(
            &healthy_deal(),
            &pipeline,
            day(30),
            offset!(+8),
            &HealthSettings::default(),
        )
        .unwrap();
        assert_eq!(report.score.points(), 100);
        assert!(report.findings.is_empty());
        assert_eq!(report.next_best_action(), None);
    }

    #[test]
    fn every_rule_fires_with_reason_and_action() {
        let pipeline = Pipeline::template_new_business();
        let mut deal = healthy_deal();
        deal.contacts.clear();
        add(
            &mut deal,
            contact("li", "李工", ContactRole::Blocker, Influence::Medium),
        );
        add(
            &mut deal,
            contact("wang", "王处", ContactRole::Financial, Influence::High),
        );
        deal.next_step = None;
        for (n, (from, to)) in [
            (date!(2026 - 03 - 01), date!(2026 - 03 - 20)),
            (date!(2026 - 03 - 20), date!(2026 - 04 - 30)),
        ]
        .into_iter()
        .enumerate()
        {
            deal.expected_close = Some(from);
            deal.set_expected_close(
                Some(to),
                user("rep-a"),
                day(n as i64),
                RecordId::new(format!("c{n}")).unwrap(),
            );
        }
        let id = RecordId::new("comp").unwrap();
        deal.competitors.insert(
            id.clone(),
            Competitor {
                id,
                name: "竞品甲".into(),
                product: String::new(),
                price: None,
                strengths: vec![],
                weaknesses: vec![],
                status: CompetitorStatus::Active,
            },
        );
        // Entered demo on day 20; on day 45 that is 25 days, over the 21-day limit.
        let report = deal_health(
            &deal,
            &pipeline,
            day(45),
            offset!(+8),
            &HealthSettings::default(),
        )
        .unwrap();
        assert_eq!(
            rules(&report),
            [
                HealthRule::NoDecisionMaker,
                HealthRule::BlockerPresent,
                HealthRule::NoNextStep,
                HealthRule::StalledInStage,
                HealthRule::CloseDatePushedBack,
                HealthRule::StakeholderSilent,
                HealthRule::CompetitorActive,
            ]
        );
        // 100 − (20 + 15 + 15 + 15 + 10 + 10 + 5) = 10.
        assert_eq!(report.score.points(), 10);
        let text = |rule| {
            let finding = report.findings.iter().find(|f| f.rule == rule).unwrap();
            (
                finding.reason.en.clone(),
                finding.action.en.clone(),
                finding.action.zh_cn.clone(),
            )
        };
        assert_eq!(
            text(HealthRule::CompetitorActive),
            (
                "competitor active: 竞品甲".to_owned(),
                "send a reference case from the same industry (制造业)".to_owned(),
                "发送制造业同行业的成功案例".to_owned()
            )
        );
        assert_eq!(
            text(HealthRule::StalledInStage).0,
            "25 days in stage \"Solution demo\", over the 21-day limit"
        );
        assert_eq!(
            text(HealthRule::CloseDatePushedBack).0,
            "close date pushed back 2 times"
        );
        assert_eq!(
            text(HealthRule::StakeholderSilent).0,
            "never in contact with 王处 (financial approver)"
        );
        assert_eq!(
            text(HealthRule::StakeholderSilent).1,
            "schedule a meeting with 王处 (financial approver)"
        );
        assert!(
            text(HealthRule::NoDecisionMaker)
                .1
                .contains("schedule a meeting with the decision maker")
        );
        assert_eq!(
            report
                .next_best_action()
                .map(|action| action.zh_cn.as_str()),
            Some("通过内部支持者确认谁拍板，并约见决策者")
        );
    }

    #[test]
    fn silence_counts_follow_ups_and_overdue_steps() {
        let pipeline = Pipeline::template_new_business();
        let mut deal = healthy_deal();
        let settings = HealthSettings::default();
        // Last contact on day 25; on day 40 that is 15 days, over 14.
        let report = deal_health(&deal, &pipeline, day(40), offset!(+8), &settings).unwrap();
        assert_eq!(
            rules(&report),
            [HealthRule::NextStepOverdue, HealthRule::StakeholderSilent]
        );
        assert_eq!(
            report.findings[1].reason.en,
            "no contact with 张总 (decision maker) for 15 days (limit 14)"
        );
        assert_eq!(
            report.findings[0].reason.en,
            "next step \"技术交流会\" is 5 days overdue"
        );
        // A meeting on day 35 with 张总 counts as contact.
        let id = RecordId::new("meet").unwrap();
        deal.follow_ups.insert(
            id.clone(),
            FollowUp {
                id,
                kind: FollowUpKind::Meeting,
                at: day(35),
                by: user("rep-a"),
                participants: vec![ContactId::new("zhang").unwrap()],
                summary: String::new(),
                customer_feedback: String::new(),
                next_step: None,
            },
        );
        let report = deal_health(&deal, &pipeline, day(40), offset!(+8), &settings).unwrap();
        assert_eq!(rules(&report), [HealthRule::NextStepOverdue]);
        assert_eq!(report.score.points(), 90);
        move_to(&mut deal, 41, "demo", DealStatus::Won);
        assert!(deal_health(&deal, &pipeline, day(42), offset!(+8), &settings).is_none());
    }
}
