//! What happens while a deal is in a stage: follow-ups with the customer's people, the power
//! map filling in, competitors showing up, budgets, products and close dates, tasks and the
//! manager's comments; and filling in whatever a move's criteria still lack.

use rand::rngs::ChaCha8Rng;

use super::{Phase, Setup, Step, Story, add_days, next_record_id};
use crate::deal::{
    Account, Budget, Comment, Competitor, CompetitorStatus, ContactRole, DealRole, FollowUp,
    FollowUpKind, ForecastAdjustment, Influence, NewDeal, NextStep, Relationship, RelationshipKind,
    Stance, Task, TaskOrigin, TaskStatus, Touchpoint,
};
use crate::demo::customer::{MIN_AMOUNT_YUAN, lines_total};
use crate::demo::edit::DemoEdit;
use crate::demo::random::{between, chance, pick, pick_from, pick_weighted};
use crate::demo::vocabulary::{
    ADJUSTMENT_NOTES, BACKGROUNDS, BUSINESS_VALUES, CAMPAIGNS, CLOSE_NEXT_STEPS, CLOSE_SUMMARIES,
    COMPETITORS, DISCOVER_NEXT_STEPS, DISCOVER_SUMMARIES, EVALUATE_NEXT_STEPS, EVALUATE_SUMMARIES,
    MANAGER_COMMENTS, MANUAL_TASKS, NEGATIVE_FEEDBACK, NEUTRAL_FEEDBACK, POSITIVE_FEEDBACK,
    QUALIFY_NEXT_STEPS, QUALIFY_SUMMARIES, REP_REPLIES, REPEAT_TOPICS, SOURCES, TITLE_TOPICS, fill,
};
use crate::error::Error;
use crate::i18n::LocalizedText;
use crate::id::ContactId;
use crate::money::{Currency, Discount, Money};
use crate::pipeline::{DealField, ForecastCategory, Rule};
use crate::probability::Probability;

/// The deal as its owner first enters it.
pub(super) fn new_deal(
    rng: &mut ChaCha8Rng,
    setup: &Setup<'_>,
    source: usize,
) -> Result<NewDeal, Error> {
    let customer = &setup.customer;
    let topic = if setup.repeat {
        *pick(rng, &REPEAT_TOPICS)
    } else {
        *pick(rng, &TITLE_TOPICS)
    };
    let industry = customer.industry();
    let account = Account {
        id: None,
        name: customer.name.clone(),
        industry: chance(rng, 60).then(|| industry.zh_cn.to_owned()),
        size: chance(rng, 50).then_some(customer.size),
        region: Some(customer.region.label().zh_cn),
        background: String::new(),
    };
    let mut yuan = customer.estimate_yuan(rng);
    if setup.repeat {
        // Expansions are smaller than first purchases.
        yuan = (yuan * 6 / 10 / 1_000 * 1_000).max(MIN_AMOUNT_YUAN);
    }
    let source_id = SOURCES.get(source).map_or("web_form", |(_, id, ..)| *id);
    Ok(NewDeal {
        id: setup.deal_id.clone(),
        title: format!("{} {topic}", customer.short_name),
        account,
        amount: Money::from_major(yuan, Currency::CNY)?,
        expected_close: None,
        owner: setup.owner.id.clone(),
        team: Some(setup.team.id.clone()),
        source: Some(source_id.to_owned()),
        stage: None,
    })
}

/// The tone of what the customer says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tone {
    Positive,
    Neutral,
    Negative,
}

impl Story<'_> {
    /// Right after creation: the campaign and marketing touches that led to the deal, the
    /// first contact, and for some deals the background and a first note of the needs.
    pub(super) fn opening(&mut self) -> Step {
        let owner = self.owner.clone();
        let source = self.deal.source.clone().unwrap_or_default();
        let campaign = match source.as_str() {
            "marketing_campaign" => Some(pick(&mut self.rng, &CAMPAIGNS).0),
            "trade_show" => Some(*pick(&mut self.rng, &["industry_expo", "cio_summit"])),
            "web_form" if chance(&mut self.rng, 30) => Some("crm_whitepaper"),
            _ => None,
        };
        if let Some(campaign) = campaign {
            self.emit(&owner, DemoEdit::Campaign(Some(campaign.to_owned())))?;
        }
        let touches = match source.as_str() {
            "referral" | "phone_inquiry" => between(&mut self.rng, 0, 1),
            _ => between(&mut self.rng, 1, 3),
        };
        // Earlier touches came through other channels; the last one is the deal's source.
        let mut days_before: Vec<i64> = (0..touches)
            .map(|_| between(&mut self.rng, 1, 60))
            .collect();
        days_before.sort_unstable_by(|a, b| b.cmp(a));
        for (index, days) in days_before.iter().enumerate() {
            let last = index + 1 == days_before.len();
            let channel = if last {
                source.clone()
            } else {
                (*pick(
                    &mut self.rng,
                    &["web_form", "social_media", "marketing_campaign"],
                ))
                .to_owned()
            };
            let touch_campaign = match channel.as_str() {
                "marketing_campaign" | "trade_show" => campaign
                    .map(str::to_owned)
                    .or_else(|| Some(pick(&mut self.rng, &CAMPAIGNS).0.to_owned())),
                _ => None,
            };
            let id = self.next_id("tp")?;
            let at = self.deal.created_at.plus_days(-days);
            self.emit(
                &owner,
                DemoEdit::Touchpoint(Touchpoint {
                    id,
                    at,
                    channel,
                    campaign: touch_campaign,
                }),
            )?;
        }
        let first_role = *pick_weighted(
            &mut self.rng,
            &[
                (40, ContactRole::Champion),
                (30, ContactRole::User),
                (30, ContactRole::Influencer),
            ],
        );
        self.add_contact(first_role)?;
        if chance(&mut self.rng, 40) {
            self.write_background()?;
        }
        if chance(&mut self.rng, 50) {
            self.write_needs()?;
        }
        Ok(())
    }

    /// One beat of activity in a stage of `phase`.
    pub(super) fn beat(&mut self, phase: Phase, beat: i64) -> Step {
        match phase {
            Phase::Qualify => self.qualify_beat(beat),
            Phase::Discover => self.discover_beat(beat),
            Phase::Evaluate => self.evaluate_beat(beat),
            Phase::Close => self.close_beat(beat),
        }
    }

    fn qualify_beat(&mut self, beat: i64) -> Step {
        let participants = self.key_contacts(&[ContactRole::Champion, ContactRole::User]);
        if beat == 0 {
            self.follow_up(
                FollowUpKind::Call,
                &QUALIFY_SUMMARIES,
                participants,
                &QUALIFY_NEXT_STEPS,
            )?;
            if self.deal.account.industry.is_none() && chance(&mut self.rng, 80) {
                self.wait_minutes(2, 20)?;
                self.complete_profile()?;
            }
            if self.deal.needs.is_empty() && chance(&mut self.rng, 70) {
                self.wait_minutes(5, 40)?;
                self.write_needs()?;
            }
        } else {
            self.follow_up(
                FollowUpKind::Im,
                &QUALIFY_SUMMARIES,
                participants,
                &QUALIFY_NEXT_STEPS,
            )?;
            if chance(&mut self.rng, 30) {
                self.manual_task()?;
            }
        }
        if self.deal.account.background.is_empty() && chance(&mut self.rng, 30) {
            self.wait_minutes(5, 40)?;
            self.write_background()?;
        }
        Ok(())
    }

    fn discover_beat(&mut self, beat: i64) -> Step {
        match beat {
            0 => {
                if !self.cast.contains_key(&ContactRole::Technical) {
                    self.add_contact(ContactRole::Technical)?;
                }
                let participants =
                    self.key_contacts(&[ContactRole::Technical, ContactRole::Champion]);
                self.wait_minutes(5, 60)?;
                self.follow_up(
                    FollowUpKind::Visit,
                    &DISCOVER_SUMMARIES,
                    participants,
                    &DISCOVER_NEXT_STEPS,
                )?;
                if self.deal.needs.is_empty() {
                    self.wait_minutes(10, 90)?;
                    self.write_needs()?;
                }
                if chance(&mut self.rng, 30) {
                    self.wait_minutes(5, 30)?;
                    let owner = self.owner.clone();
                    let manager = self.manager.clone();
                    self.emit(
                        &owner,
                        DemoEdit::DealTeam {
                            user: manager,
                            role: DealRole::Manager,
                        },
                    )?;
                }
                if chance(&mut self.rng, 50) {
                    self.reveal_competitors()?;
                }
            }
            1 => {
                if !self.cast.contains_key(&ContactRole::DecisionMaker) && chance(&mut self.rng, 75)
                {
                    self.add_contact(ContactRole::DecisionMaker)?;
                }
                let participants = self.key_contacts(&[
                    ContactRole::DecisionMaker,
                    ContactRole::Champion,
                    ContactRole::Technical,
                ]);
                self.wait_minutes(5, 60)?;
                self.follow_up(
                    FollowUpKind::Meeting,
                    &DISCOVER_SUMMARIES,
                    participants,
                    &DISCOVER_NEXT_STEPS,
                )?;
                if !self.deal.budget.has_range() {
                    self.budget_range()?;
                }
                if self.deal.business_value.is_empty() {
                    self.write_business_value()?;
                }
                if self.deal.expected_close.is_none() {
                    self.first_close_date()?;
                }
                self.reveal_competitors()?;
            }
            _ => {
                if !self.cast.contains_key(&ContactRole::Financial) && chance(&mut self.rng, 60) {
                    self.add_contact(ContactRole::Financial)?;
                }
                let participants = self.key_contacts(&[ContactRole::Technical]);
                self.follow_up(
                    FollowUpKind::Email,
                    &DISCOVER_SUMMARIES,
                    participants,
                    &DISCOVER_NEXT_STEPS,
                )?;
                let lines_now = if self.pipeline.rules.allow_skip {
                    70
                } else {
                    40
                };
                if chance(&mut self.rng, lines_now) {
                    self.add_product_lines()?;
                }
                if chance(&mut self.rng, 35) {
                    self.manager_comment()?;
                }
                if chance(&mut self.rng, 15) {
                    self.webinar_touch()?;
                }
            }
        }
        Ok(())
    }

    fn evaluate_beat(&mut self, beat: i64) -> Step {
        match beat {
            0 => {
                let participants = self.key_contacts(&[
                    ContactRole::DecisionMaker,
                    ContactRole::Technical,
                    ContactRole::User,
                ]);
                self.follow_up(
                    FollowUpKind::Demo,
                    &EVALUATE_SUMMARIES,
                    participants,
                    &EVALUATE_NEXT_STEPS,
                )?;
                if chance(&mut self.rng, 15) {
                    self.wait_minutes(10, 120)?;
                    let category = *pick(
                        &mut self.rng,
                        &[ForecastCategory::Commit, ForecastCategory::BestCase],
                    );
                    let owner = self.owner.clone();
                    self.emit(&owner, DemoEdit::ForecastCategory(Some(category)))?;
                }
            }
            1 => {
                if !self.cast.contains_key(&ContactRole::DecisionMaker) {
                    self.add_contact(ContactRole::DecisionMaker)?;
                }
                if self.fate.blocker && !self.cast.contains_key(&ContactRole::Blocker) {
                    self.add_contact(ContactRole::Blocker)?;
                }
                let participants =
                    self.key_contacts(&[ContactRole::DecisionMaker, ContactRole::Financial]);
                let kind = *pick(&mut self.rng, &[FollowUpKind::Meeting, FollowUpKind::Visit]);
                self.wait_minutes(5, 60)?;
                self.follow_up(
                    kind,
                    &EVALUATE_SUMMARIES,
                    participants,
                    &EVALUATE_NEXT_STEPS,
                )?;
                self.warm_up_decision_maker()?;
                self.price_competitors()?;
                if chance(&mut self.rng, 60) {
                    self.confirm_budget()?;
                }
                if chance(&mut self.rng, 30) {
                    self.manual_task()?;
                }
            }
            _ => {
                if self.fate.slips {
                    self.push_close_date()?;
                }
                if self.deal.product_lines.is_empty() {
                    self.add_product_lines()?;
                }
                let participants = self.key_contacts(&[ContactRole::Champion]);
                self.follow_up(
                    FollowUpKind::Im,
                    &EVALUATE_SUMMARIES,
                    participants,
                    &EVALUATE_NEXT_STEPS,
                )?;
                if chance(&mut self.rng, 35) {
                    self.manager_comment()?;
                }
            }
        }
        Ok(())
    }

    fn close_beat(&mut self, beat: i64) -> Step {
        match beat {
            0 => {
                if self.deal.product_lines.is_empty() {
                    self.add_product_lines()?;
                }
                let participants =
                    self.key_contacts(&[ContactRole::DecisionMaker, ContactRole::Financial]);
                self.follow_up(
                    FollowUpKind::Meeting,
                    &CLOSE_SUMMARIES,
                    participants,
                    &CLOSE_NEXT_STEPS,
                )?;
                if chance(&mut self.rng, 50) {
                    self.discount()?;
                }
                if chance(&mut self.rng, 12) {
                    self.wait_minutes(10, 60)?;
                    let percent = u8::try_from(between(&mut self.rng, 10, 18) * 5).unwrap_or(50);
                    let owner = self.owner.clone();
                    self.emit(
                        &owner,
                        DemoEdit::ManualProbability(Some(Probability::from_percent(percent)?)),
                    )?;
                }
            }
            1 => {
                let participants = self.key_contacts(&[ContactRole::Champion]);
                let kind = *pick(&mut self.rng, &[FollowUpKind::Visit, FollowUpKind::Call]);
                self.follow_up(kind, &CLOSE_SUMMARIES, participants, &CLOSE_NEXT_STEPS)?;
                if chance(&mut self.rng, 20) {
                    self.manager_adjustment()?;
                }
                if self.fate.slips || chance(&mut self.rng, 25) {
                    self.push_close_date()?;
                }
            }
            _ => {
                let participants = self.key_contacts(&[ContactRole::DecisionMaker]);
                self.follow_up(
                    FollowUpKind::Call,
                    &CLOSE_SUMMARIES,
                    participants,
                    &CLOSE_NEXT_STEPS,
                )?;
                if chance(&mut self.rng, 30) {
                    self.manager_comment()?;
                }
            }
        }
        Ok(())
    }

    /// Fills in what criterion `criterion` with `rule` lacks.
    pub(super) fn fulfil(&mut self, criterion: &str, rule: &Rule) -> Step {
        match rule {
            Rule::FieldSet { field } => self.fill_field(*field),
            Rule::AmountPositive => {
                if self.deal.amount.is_positive() {
                    return Ok(());
                }
                let owner = self.owner.clone();
                let change_id = self.next_id("am")?;
                self.emit(
                    &owner,
                    DemoEdit::Amount {
                        amount: Money::from_major(MIN_AMOUNT_YUAN, Currency::CNY)?,
                        change_id,
                    },
                )?;
                Ok(())
            }
            Rule::BudgetRangeKnown => self.budget_range(),
            Rule::BudgetConfirmed => self.confirm_budget(),
            Rule::ContactWithRole { role } => self.add_contact(*role).map(|_| ()),
            Rule::FollowUpHeld { kind, .. } => {
                let kind = kind.unwrap_or(FollowUpKind::Meeting);
                let participants =
                    self.key_contacts(&[ContactRole::DecisionMaker, ContactRole::Champion]);
                let summaries: &[&str] = match kind {
                    FollowUpKind::Demo => &EVALUATE_SUMMARIES,
                    _ => &DISCOVER_SUMMARIES,
                };
                // Criteria that ask for a follow-up usually want the customer's feedback.
                self.follow_up_with_feedback(kind, summaries, participants, &EVALUATE_NEXT_STEPS)
            }
            Rule::Checklist => {
                let owner = self.owner.clone();
                self.emit(
                    &owner,
                    DemoEdit::Tick {
                        criterion: criterion.to_owned(),
                    },
                )?;
                Ok(())
            }
            Rule::NextStepScheduled => {
                let action = (*pick(&mut self.rng, &DISCOVER_NEXT_STEPS)).to_owned();
                let due = add_days(self.today(), between(&mut self.rng, 2, 7));
                let owner = self.owner.clone();
                self.emit(
                    &owner,
                    DemoEdit::NextStep(Some(NextStep {
                        action,
                        due,
                        owner: None,
                    })),
                )?;
                Ok(())
            }
            Rule::ProductLines => self.add_product_lines(),
        }
    }

    fn fill_field(&mut self, field: DealField) -> Step {
        match field {
            DealField::Industry | DealField::CompanySize | DealField::Region => {
                self.complete_profile()
            }
            DealField::Background => self.write_background(),
            DealField::ExpectedClose => self.first_close_date(),
            DealField::Needs => self.write_needs(),
            DealField::BusinessValue => self.write_business_value(),
            DealField::ApprovalCycle => self.budget_range(),
            DealField::Campaign => {
                let campaign = pick(&mut self.rng, &CAMPAIGNS).0.to_owned();
                let owner = self.owner.clone();
                self.emit(&owner, DemoEdit::Campaign(Some(campaign)))?;
                Ok(())
            }
            // Set when the deal is opened.
            DealField::Title | DealField::AccountName | DealField::Source => Ok(()),
        }
    }

    /// The ids of the first contacts in the cast playing `roles`, or the first contact.
    pub(super) fn key_contacts(&self, roles: &[ContactRole]) -> Vec<ContactId> {
        let mut ids: Vec<ContactId> = roles
            .iter()
            .filter_map(|role| self.cast.get(role).cloned())
            .collect();
        if ids.is_empty()
            && let Some(first) = self.deal.contacts.keys().next()
        {
            ids.push(first.clone());
        }
        ids
    }

    /// A follow-up by the owner at the current time; most record the customer's feedback and
    /// agree on a next step.
    pub(super) fn follow_up(
        &mut self,
        kind: FollowUpKind,
        summaries: &[&str],
        participants: Vec<ContactId>,
        next_steps: &[&str],
    ) -> Step {
        let with_feedback =
            matches!(kind, FollowUpKind::Demo | FollowUpKind::Meeting) || chance(&mut self.rng, 80);
        self.record_follow_up(kind, summaries, participants, next_steps, with_feedback)
    }

    pub(super) fn follow_up_with_feedback(
        &mut self,
        kind: FollowUpKind,
        summaries: &[&str],
        participants: Vec<ContactId>,
        next_steps: &[&str],
    ) -> Step {
        self.record_follow_up(kind, summaries, participants, next_steps, true)
    }

    pub(super) fn record_follow_up(
        &mut self,
        kind: FollowUpKind,
        summaries: &[&str],
        participants: Vec<ContactId>,
        next_steps: &[&str],
        with_feedback: bool,
    ) -> Step {
        let contact = participants
            .first()
            .and_then(|id| self.deal.contacts.get(id))
            .map_or_else(|| "客户".to_owned(), |contact| contact.name.clone());
        let product = self.product_name();
        let competitor = self.competitor_name();
        let pairs = [
            ("contact", contact.as_str()),
            ("product", product.as_str()),
            ("competitor", competitor),
        ];
        let summary = fill(
            pick_from(&mut self.rng, summaries)
                .copied()
                .unwrap_or("客户沟通"),
            &pairs,
        );
        let customer_feedback = if with_feedback {
            let tone = self.tone();
            let feedback: &[&str] = match tone {
                Tone::Positive => &POSITIVE_FEEDBACK,
                Tone::Neutral => &NEUTRAL_FEEDBACK,
                Tone::Negative => &NEGATIVE_FEEDBACK,
            };
            fill(
                pick_from(&mut self.rng, feedback)
                    .copied()
                    .unwrap_or_default(),
                &pairs,
            )
        } else {
            String::new()
        };
        let next_step = match pick_from(&mut self.rng, next_steps) {
            Some(action) if chance(&mut self.rng, 80) => Some(NextStep {
                action: (*action).to_owned(),
                due: add_days(self.today(), between(&mut self.rng, 2, 10)),
                owner: None,
            }),
            _ => None,
        };
        let id = self.next_id("fu")?;
        let owner = self.owner.clone();
        let follow_up = FollowUp {
            id,
            kind,
            at: self.at,
            by: owner.clone(),
            participants,
            summary,
            customer_feedback,
            next_step,
        };
        self.emit(&owner, DemoEdit::FollowUp(follow_up))?;
        Ok(())
    }

    fn tone(&mut self) -> Tone {
        let positive = (35 + self.fate.propensity).clamp(10, 80);
        let negative = (15 - self.fate.propensity / 2).clamp(5, 40);
        let roll = between(&mut self.rng, 0, 99);
        if roll < positive {
            Tone::Positive
        } else if roll >= 100 - negative {
            Tone::Negative
        } else {
            Tone::Neutral
        }
    }

    fn product_name(&self) -> String {
        self.deal
            .product_lines
            .values()
            .next()
            .map_or_else(|| "CRM 企业版".to_owned(), |line| line.product.clone())
    }

    pub(super) fn competitor_name(&self) -> &'static str {
        self.fate
            .competitors
            .first()
            .and_then(|index| COMPETITORS.get(*index))
            .map_or("其他厂商", |(_, spec)| spec.name)
    }

    /// Adds a contact playing `role`, with the edges of the power map that connect it.
    pub(super) fn add_contact(&mut self, role: ContactRole) -> Step<ContactId> {
        let (stance, influence) = match role {
            ContactRole::DecisionMaker => (self.fate.decision_maker_stance, Influence::High),
            ContactRole::Blocker => (
                Stance::Opponent,
                *pick(&mut self.rng, &[Influence::Medium, Influence::High]),
            ),
            ContactRole::Champion => (Stance::Supporter, Influence::Medium),
            ContactRole::Financial => (
                Stance::Neutral,
                *pick(&mut self.rng, &[Influence::Medium, Influence::High]),
            ),
            _ => (
                *pick(&mut self.rng, &[Stance::Supporter, Stance::Neutral]),
                *pick(&mut self.rng, &[Influence::Low, Influence::Medium]),
            ),
        };
        let id = self.next_contact_id()?;
        let contact = self
            .customer
            .contact(&mut self.rng, id.clone(), role, stance, influence);
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Contact(contact))?;
        self.cast.entry(role).or_insert_with(|| id.clone());
        let decision_maker = self.cast.get(&ContactRole::DecisionMaker).cloned();
        let mut edges = Vec::new();
        match (role, decision_maker) {
            (ContactRole::DecisionMaker, _) => {
                // Those already known report to the decision maker; the champion lobbies them.
                for (other_role, other) in &self.cast {
                    match other_role {
                        ContactRole::Technical | ContactRole::Financial | ContactRole::User => {
                            edges.push((other.clone(), id.clone(), RelationshipKind::ReportsTo));
                        }
                        ContactRole::Champion | ContactRole::Influencer => {
                            edges.push((other.clone(), id.clone(), RelationshipKind::Influences));
                        }
                        _ => {}
                    }
                }
            }
            (
                ContactRole::Blocker | ContactRole::Champion | ContactRole::Influencer,
                Some(decision_maker),
            ) => {
                edges.push((id.clone(), decision_maker, RelationshipKind::Influences));
            }
            (_, Some(decision_maker)) => {
                edges.push((id.clone(), decision_maker, RelationshipKind::ReportsTo));
            }
            (_, None) => {}
        }
        for (from, to, kind) in edges {
            self.wait_minutes(1, 5)?;
            let relationship_id = self.next_id("rel")?;
            self.emit(
                &owner,
                DemoEdit::Relationship(Relationship {
                    id: relationship_id,
                    from,
                    to,
                    kind,
                }),
            )?;
        }
        Ok(id)
    }

    /// A decision maker who was neutral comes round when the deal goes well.
    fn warm_up_decision_maker(&mut self) -> Step {
        let Some(id) = self.cast.get(&ContactRole::DecisionMaker) else {
            return Ok(());
        };
        let Some(contact) = self.deal.contacts.get(id) else {
            return Ok(());
        };
        if contact.stance != Stance::Neutral || self.fate.propensity <= 0 {
            return Ok(());
        }
        let mut contact = contact.clone();
        contact.stance = Stance::Supporter;
        self.wait_minutes(10, 90)?;
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Contact(contact))?;
        Ok(())
    }

    /// The fate's competitors show up on the deal (price not yet known).
    pub(super) fn reveal_competitors(&mut self) -> Step {
        let owner = self.owner.clone();
        for index in self.fate.competitors.clone() {
            let Some((_, spec)) = COMPETITORS.get(index) else {
                continue;
            };
            if self
                .deal
                .competitors
                .values()
                .any(|competitor| competitor.name == spec.name)
            {
                continue;
            }
            let strengths = self.tags(spec.strengths);
            let weaknesses = self.tags(spec.weaknesses);
            let id = self.next_id("co")?;
            self.wait_minutes(2, 30)?;
            self.emit(
                &owner,
                DemoEdit::Competitor(Competitor {
                    id,
                    name: spec.name.to_owned(),
                    product: spec.product.to_owned(),
                    price: None,
                    strengths,
                    weaknesses,
                    status: CompetitorStatus::Active,
                }),
            )?;
        }
        Ok(())
    }

    /// One or two of `tags`, in table order.
    fn tags(&mut self, tags: &[&str]) -> Vec<String> {
        let first = between(&mut self.rng, 0, tags.len() as i64 - 1);
        let mut chosen = vec![first];
        if chance(&mut self.rng, 50) {
            let second = between(&mut self.rng, 0, tags.len() as i64 - 1);
            if second != first {
                chosen.push(second);
            }
        }
        chosen.sort_unstable();
        chosen
            .into_iter()
            .filter_map(|index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|index| tags.get(index))
            })
            .map(|tag| (*tag).to_owned())
            .collect()
    }

    /// The competitors' prices become known.
    fn price_competitors(&mut self) -> Step {
        let owner = self.owner.clone();
        let unpriced: Vec<Competitor> = self
            .deal
            .competitors
            .values()
            .filter(|competitor| competitor.price.is_none())
            .cloned()
            .collect();
        for mut competitor in unpriced {
            let Some((_, spec)) = COMPETITORS
                .iter()
                .find(|(_, spec)| spec.name == competitor.name)
            else {
                continue;
            };
            let percent = between(&mut self.rng, spec.price_percent.0, spec.price_percent.1);
            let price = self.deal.amount.mul_ratio(percent, 100)?;
            competitor.price = Some(Money::new(
                price.minor() / 100_000 * 100_000,
                price.currency(),
            ));
            self.wait_minutes(5, 60)?;
            self.emit(&owner, DemoEdit::Competitor(competitor))?;
        }
        Ok(())
    }

    fn complete_profile(&mut self) -> Step {
        let industry = Some(self.customer.industry().zh_cn.to_owned());
        let size = Some(self.customer.size);
        let region = Some(self.customer.region.label().zh_cn);
        let owner = self.owner.clone();
        self.emit(
            &owner,
            DemoEdit::AccountProfile {
                industry,
                size,
                region,
            },
        )?;
        Ok(())
    }

    fn write_background(&mut self) -> Step {
        let template = *pick(&mut self.rng, &BACKGROUNDS);
        let text = fill(
            template,
            &[
                ("city", self.customer.city),
                ("year", &self.customer.founded.to_string()),
                ("people", &self.customer.people.to_string()),
            ],
        );
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Background(text))?;
        Ok(())
    }

    /// Two of the industry's pain points; a second write appends to the first.
    fn write_needs(&mut self) -> Step {
        let pains = self.customer.industry().pains;
        let first = pick_from(&mut self.rng, pains).copied().unwrap_or_default();
        let second = pick_from(&mut self.rng, pains).copied().unwrap_or_default();
        let mut text = if self.deal.needs.is_empty() {
            format!("1. {first}")
        } else {
            self.deal.needs.clone()
        };
        if second != first && !text.contains(second) {
            text.push_str(&format!("\n2. {second}"));
        }
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Needs(text))?;
        Ok(())
    }

    fn write_business_value(&mut self) -> Step {
        let template = *pick(&mut self.rng, &BUSINESS_VALUES);
        let percent = between(&mut self.rng, 10, 40).to_string();
        let text = fill(template, &[("n", percent.as_str())]);
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::BusinessValue(text))?;
        Ok(())
    }

    /// A budget range around the amount, with the industry's approval cycle.
    fn budget_range(&mut self) -> Step {
        let amount = self.deal.amount;
        let low = between(&mut self.rng, 70, 95);
        let high = between(&mut self.rng, 105, 140);
        let round =
            |money: Money| Money::new(money.minor() / 1_000_000 * 1_000_000, money.currency());
        let min = round(amount.mul_ratio(low, 100)?);
        let max = round(amount.mul_ratio(high, 100)?);
        let approval_cycle = pick_from(&mut self.rng, self.customer.industry().approval)
            .copied()
            .unwrap_or("年度预算，总经理审批")
            .to_owned();
        let owner = self.owner.clone();
        self.emit(
            &owner,
            DemoEdit::Budget(Budget {
                min: Some(Money::new(min.minor().max(1_000_000), min.currency())),
                max: Some(max),
                confirmed: false,
                approval_cycle,
            }),
        )?;
        Ok(())
    }

    pub(super) fn confirm_budget(&mut self) -> Step {
        if self.deal.budget.confirmed {
            return Ok(());
        }
        if !self.deal.budget.has_range() {
            self.budget_range()?;
            self.wait_minutes(5, 60)?;
        }
        let budget = Budget {
            confirmed: true,
            ..self.deal.budget.clone()
        };
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Budget(budget))?;
        Ok(())
    }

    /// The first expected close date: one to four months out.
    fn first_close_date(&mut self) -> Step {
        let date = add_days(self.today(), between(&mut self.rng, 30, 110));
        self.set_close_date(date)
    }

    /// The close date slips by two to six weeks.
    pub(super) fn push_close_date(&mut self) -> Step {
        let Some(current) = self.deal.expected_close else {
            return Ok(());
        };
        let from = current.max(self.today());
        let date = add_days(from, between(&mut self.rng, 14, 45));
        self.wait_minutes(5, 60)?;
        self.set_close_date(date)
    }

    pub(super) fn set_close_date(&mut self, date: time::Date) -> Step {
        if self.deal.expected_close == Some(date) {
            return Ok(());
        }
        let change_id = self.next_id("cd")?;
        let owner = self.owner.clone();
        self.emit(
            &owner,
            DemoEdit::ExpectedClose {
                date: Some(date),
                change_id,
            },
        )?;
        Ok(())
    }

    /// Product lines worth about the amount, and the amount set to their total.
    pub(super) fn add_product_lines(&mut self) -> Step {
        if !self.deal.product_lines.is_empty() {
            return Ok(());
        }
        let yuan = self.deal.amount.minor() / 100;
        let target = yuan * between(&mut self.rng, 85, 120) / 100;
        let counters = &mut self.counters;
        let lines = self
            .customer
            .product_lines(&mut self.rng, target, || next_record_id(counters, "pl"))?;
        let owner = self.owner.clone();
        for line in &lines {
            self.wait_minutes(1, 4)?;
            self.emit(&owner, DemoEdit::ProductLine(line.clone()))?;
        }
        self.set_amount(lines_total(&lines)?)
    }

    /// A negotiated discount of 5–15 % on the licences.
    fn discount(&mut self) -> Step {
        let basis_points = u16::try_from(between(&mut self.rng, 5, 15) * 100).unwrap_or(1_000);
        let discount = Discount::from_basis_points(basis_points)?;
        let mut lines = self.deal.product_lines.clone();
        for line in lines.values_mut() {
            let licence = line.product_id.as_ref().is_some_and(|id| {
                ["crm_standard", "crm_enterprise", "analytics"].contains(&id.as_str())
            });
            if licence {
                line.discount = discount;
            }
        }
        let total = lines_total(lines.values())?;
        if lines.is_empty() || total.minor() < MIN_AMOUNT_YUAN * 100 {
            return Ok(());
        }
        let owner = self.owner.clone();
        for (id, line) in &lines {
            if self.deal.product_lines.get(id) != Some(line) {
                self.wait_minutes(1, 4)?;
                self.emit(&owner, DemoEdit::ProductLine(line.clone()))?;
            }
        }
        self.set_amount(total)
    }

    fn set_amount(&mut self, amount: Money) -> Step {
        if amount == self.deal.amount {
            return Ok(());
        }
        self.wait_minutes(1, 10)?;
        let change_id = self.next_id("am")?;
        let owner = self.owner.clone();
        self.emit(&owner, DemoEdit::Amount { amount, change_id })?;
        Ok(())
    }

    /// A manual task for the owner, set by the owner or their manager.
    fn manual_task(&mut self) -> Step {
        let (zh_cn, en) = *pick(&mut self.rng, &MANUAL_TASKS);
        let by = if chance(&mut self.rng, 30) {
            self.manager.clone()
        } else {
            self.owner.clone()
        };
        self.wait_minutes(5, 60)?;
        let task = Task {
            id: self.next_id("tk")?,
            title: LocalizedText::new(zh_cn, en),
            assignee: self.owner.clone(),
            due: Some(add_days(self.today(), between(&mut self.rng, 2, 7))),
            status: TaskStatus::Open,
            origin: TaskOrigin::Manual,
            created_at: self.at,
            closed_at: None,
        };
        self.emit(&by, DemoEdit::Task(task.clone()))?;
        self.schedule(&[task]);
        Ok(())
    }

    /// A manager's comment (点评), which the owner often answers.
    pub(super) fn manager_comment(&mut self) -> Step {
        let text = (*pick(&mut self.rng, &MANAGER_COMMENTS)).to_owned();
        self.comment_by_manager(text)
    }

    pub(super) fn comment_by_manager(&mut self, text: String) -> Step {
        self.wait_minutes(30, 300)?;
        let id = self.next_id("cm")?;
        let manager = self.manager.clone();
        self.emit(
            &manager,
            DemoEdit::Comment(Comment {
                id: id.clone(),
                author: manager.clone(),
                at: self.at,
                text,
                reply_to: None,
            }),
        )?;
        if chance(&mut self.rng, 50) {
            self.wait_minutes(20, 240)?;
            let reply = (*pick(&mut self.rng, &REP_REPLIES)).to_owned();
            let reply_id = self.next_id("cm")?;
            let owner = self.owner.clone();
            self.emit(
                &owner,
                DemoEdit::Comment(Comment {
                    id: reply_id,
                    author: owner.clone(),
                    at: self.at,
                    text: reply,
                    reply_to: Some(id),
                }),
            )?;
        }
        Ok(())
    }

    /// The manager moves the deal's forecast category up or down, recorded apart from the
    /// owner's call.
    fn manager_adjustment(&mut self) -> Step {
        let stage_default = match self.deal.stage() {
            Some(stage) => self.pipeline.stage(stage)?.forecast_category,
            None => ForecastCategory::Pipeline,
        };
        let from = self
            .deal
            .forecast_category
            .as_ref()
            .map_or(stage_default, |category| category.category);
        let (to, note) = if from == ForecastCategory::Commit {
            let note = *pick(&mut self.rng, &[ADJUSTMENT_NOTES[0], ADJUSTMENT_NOTES[1]]);
            (ForecastCategory::BestCase, note)
        } else {
            (ForecastCategory::Commit, ADJUSTMENT_NOTES[2])
        };
        self.wait_minutes(60, 480)?;
        let manager = self.manager.clone();
        let adjustment = ForecastAdjustment {
            id: self.next_id("fa")?,
            by: manager.clone(),
            at: self.at,
            from,
            to,
            note: note.to_owned(),
        };
        self.emit(&manager, DemoEdit::ForecastAdjustment(adjustment))?;
        Ok(())
    }

    /// The customer attends a webinar mid-deal: a touchpoint for attribution.
    fn webinar_touch(&mut self) -> Step {
        self.wait_minutes(30, 300)?;
        let id = self.next_id("tp")?;
        let owner = self.owner.clone();
        let at = self.at;
        self.emit(
            &owner,
            DemoEdit::Touchpoint(Touchpoint {
                id,
                at,
                channel: "marketing_campaign".to_owned(),
                campaign: Some("case_webinar".to_owned()),
            }),
        )?;
        Ok(())
    }
}
