//! Running an assignment policy: which rule matched, whom it picked and why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::assignment::error::AssignmentError;
use crate::assignment::round_robin::{CursorKey, CursorMove, RoundRobinState};
use crate::assignment::rule::{
    AssignmentPolicy, AssignmentRule, AssignmentStrategy, AssignmentSubject, AssignmentTarget,
    ConditionHit, ConditionMiss, RuleSet, SubjectField,
};
use crate::i18n::{Locale, Localized};
use crate::id::{PoolId, RuleId, TeamId, UserId};
use crate::lead::record::Lead;
use crate::org::organisation::{Organisation, Role};
use crate::pool::command::PoolCommand;
use crate::pool::config::PoolDirectory;
use crate::pool::history::Actor;

/// Open leads per rep, as counted by the caller; a missing rep counts as zero.
pub type Loads = BTreeMap<UserId, u32>;

/// What an assignment needs besides the policy and the subject.
#[derive(Clone, Copy, Debug)]
pub struct AssignmentContext<'a> {
    /// The organisation.
    pub org: &'a Organisation,
    /// The pools.
    pub pools: &'a PoolDirectory,
    /// Open leads per rep, for `LeastLoaded` and `max_open_leads`.
    pub loads: &'a Loads,
    /// Round-robin cursors.
    pub cursors: &'a RoundRobinState,
    /// Users who must not be picked (e.g. the owner who missed the SLA).
    pub exclude: &'a [UserId],
}

/// The level of distribution a step happened at.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "level", content = "team")]
pub enum Scope {
    /// The company's rules.
    Company,
    /// A team's rules.
    Team(TeamId),
}

/// Where the subject goes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AssignmentOutcome {
    /// To an owner.
    Owner {
        /// The owner.
        user: UserId,
        /// The rule that picked them; `None` for a fallback or a team's default rotation.
        rule: Option<RuleId>,
    },
    /// Into a team's queue, for its managers to assign.
    Team {
        /// The team.
        team: TeamId,
        /// The rule that chose it; `None` for a fallback.
        rule: Option<RuleId>,
    },
    /// Into a pool.
    Pool {
        /// The pool.
        pool: PoolId,
        /// The rule that chose it; `None` for a fallback.
        rule: Option<RuleId>,
    },
    /// Nowhere: no rule or fallback applied. The lead stays unassigned for a manager to handle.
    Unassigned,
}

/// One step of an assignment, in order: the explanation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum AssignmentStep {
    /// Started evaluating a rule set.
    RuleSet {
        /// Which.
        scope: Scope,
    },
    /// A disabled rule was skipped.
    Disabled {
        /// The rule.
        rule: RuleId,
    },
    /// A rule's condition did not match.
    NotMatched {
        /// The rule.
        rule: RuleId,
        /// The first field that failed.
        miss: ConditionMiss,
    },
    /// A rule's condition matched.
    Matched {
        /// The rule.
        rule: RuleId,
        /// The tested fields and the values that satisfied them (empty: the rule has no
        /// condition).
        hits: Vec<ConditionHit>,
    },
    /// A rule or fallback found nobody to pick.
    NoEligibleRep {
        /// The rule (`None`: a fallback or default rotation).
        rule: Option<RuleId>,
        /// Active candidates before filtering.
        candidates: usize,
        /// Of those, excluded by the caller.
        excluded: usize,
        /// Of those, at the rule's `max_open_leads`.
        at_capacity: usize,
    },
    /// Someone was picked.
    Picked {
        /// Who.
        user: UserId,
        /// How.
        strategy: AssignmentStrategy,
        /// Their open leads before this one.
        open_leads: u32,
        /// How many were eligible.
        eligible: usize,
    },
    /// Handed to a team's rules.
    ToTeam {
        /// The team.
        team: TeamId,
    },
    /// The team has no rules of its own: rotating over the reps in its subtree.
    TeamDefault {
        /// The team.
        team: TeamId,
    },
    /// Left in a team's queue for its managers.
    ToTeamQueue {
        /// The team.
        team: TeamId,
    },
    /// Sent to a pool.
    ToPool {
        /// The pool.
        pool: PoolId,
    },
    /// The policy names a team or pool that no longer exists; the target was skipped.
    StaleTarget,
    /// Distribution nested deeper than the team tree or took too many steps: the policy has a
    /// cycle and was not validated. The branch was abandoned.
    TooDeep,
    /// No rule placed the subject; trying the fallback.
    Fallback {
        /// Whose fallback.
        scope: Scope,
    },
    /// No rule placed the subject and there is no fallback.
    NoFallback {
        /// Whose.
        scope: Scope,
    },
}

/// The outcome of an assignment, its explanation and the cursor update to record.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AssignmentDecision {
    /// Where the subject goes.
    pub outcome: AssignmentOutcome,
    /// How that was decided, step by step.
    pub steps: Vec<AssignmentStep>,
    /// The round-robin cursor to advance, if a rotation picked someone.
    pub cursor: Option<CursorMove>,
}

impl AssignmentDecision {
    /// The explanation in `locale`, one line per step.
    pub fn explain(&self, locale: Locale) -> Vec<String> {
        self.steps
            .iter()
            .map(|step| step.localized(locale))
            .collect()
    }

    /// Records the decision: advances the cursor and counts the new open lead.
    pub fn commit(&self, cursors: &mut RoundRobinState, loads: &mut Loads) {
        if let Some(update) = &self.cursor {
            cursors.record(update);
        }
        if let AssignmentOutcome::Owner { user, .. } = &self.outcome {
            let load = loads.entry(user.clone()).or_default();
            *load = load.saturating_add(1);
        }
    }

    /// The command that applies this decision to `lead` as the system, if it places it.
    pub fn command_for(&self, lead: &Lead) -> Option<PoolCommand> {
        match &self.outcome {
            AssignmentOutcome::Owner { user, rule } => Some(PoolCommand::Assign {
                lead: lead.id.clone(),
                to: user.clone(),
                by: Actor::System,
                rule: rule.clone(),
                expected_version: lead.version,
            }),
            AssignmentOutcome::Team { team, .. } => Some(PoolCommand::Distribute {
                lead: lead.id.clone(),
                team: team.clone(),
                by: Actor::System,
                expected_version: lead.version,
            }),
            AssignmentOutcome::Pool { pool, .. } => Some(PoolCommand::Put {
                lead: lead.id.clone(),
                pool: pool.clone(),
                by: Actor::System,
                expected_version: lead.version,
            }),
            AssignmentOutcome::Unassigned => None,
        }
    }
}

impl AssignmentPolicy {
    /// [`AssignmentPolicy::issues`] as a `Result`.
    pub fn validate(
        &self,
        org: &Organisation,
        pools: &PoolDirectory,
    ) -> Result<(), AssignmentError> {
        let issues = self.issues(org, pools);
        if issues.is_empty() {
            Ok(())
        } else {
            Err(AssignmentError::InvalidPolicy { issues })
        }
    }

    /// Picks an owner or pool for `subject`: the company's rules by priority, cascading into
    /// team rules, then fallbacks. Pure: record the result with [`AssignmentDecision::commit`].
    ///
    /// ```
    /// use dealflow_core::{
    ///     AssignmentContext, AssignmentOutcome, AssignmentPolicy, AssignmentRule,
    ///     AssignmentSubject, Condition, Locale, LocalizedText, Loads, Member, Organisation,
    ///     PoolDirectory, Role, RoundRobinState, RuleId, RuleSet, AssignmentStrategy, AssignmentTarget, Team, TeamId,
    ///     UserId,
    /// };
    /// let east = TeamId::new("east")?;
    /// let org = Organisation::new(
    ///     "示例科技",
    ///     vec![Team { id: east.clone(), name: "华东".into(), parent: None }],
    ///     ["li", "wang"].map(|id| Member {
    ///         id: UserId::new(id).unwrap(), name: id.into(), role: Role::Rep,
    ///         team: Some(east.clone()), active: true,
    ///     }).to_vec(),
    /// )?;
    /// let policy = AssignmentPolicy {
    ///     company: RuleSet {
    ///         rules: vec![AssignmentRule {
    ///             id: RuleId::new("east-least-loaded")?,
    ///             name: LocalizedText::new("华东按负载", "East by load"),
    ///             priority: 1,
    ///             condition: Condition { regions: vec!["华东".into()], ..Default::default() },
    ///             target: AssignmentTarget::TeamReps { team: east.clone(), strategy: AssignmentStrategy::LeastLoaded },
    ///             max_open_leads: None,
    ///             enabled: true,
    ///         }],
    ///         fallback: None,
    ///     },
    ///     teams: Default::default(),
    /// };
    /// let pools = PoolDirectory::default();
    /// policy.validate(&org, &pools)?;
    /// let loads = Loads::from([(UserId::new("li")?, 7), (UserId::new("wang")?, 2)]);
    /// let cursors = RoundRobinState::new();
    /// let context = AssignmentContext { org: &org, pools: &pools, loads: &loads, cursors: &cursors, exclude: &[] };
    /// let subject = AssignmentSubject { region: Some("华东".into()), ..Default::default() };
    /// let decision = policy.assign(&subject, &context);
    /// assert!(matches!(&decision.outcome, AssignmentOutcome::Owner { user, .. } if user.as_str() == "wang"));
    /// assert_eq!(decision.explain(Locale::ZhCn), [
    ///     "开始执行公司级分配规则",
    ///     "规则 east-least-loaded 命中：地区 = 华东",
    ///     "按负载最少分配给 wang（当前 2 条未关闭线索，2 人可选）",
    /// ]);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn assign(
        &self,
        subject: &AssignmentSubject,
        context: &AssignmentContext<'_>,
    ) -> AssignmentDecision {
        let mut run = Run {
            policy: self,
            subject,
            context,
            steps: Vec::new(),
            cursor: None,
            depth_left: context.org.teams().count() + 1,
        };
        let outcome = run
            .rule_set(Scope::Company, &self.company)
            .unwrap_or(AssignmentOutcome::Unassigned);
        AssignmentDecision {
            outcome,
            steps: run.steps,
            cursor: run.cursor,
        }
    }

    /// Assigns several subjects in order, committing each decision to `cursors` and `loads` so
    /// the next one sees it (e.g. distributing an imported list).
    pub fn assign_batch(
        &self,
        subjects: &[AssignmentSubject],
        org: &Organisation,
        pools: &PoolDirectory,
        loads: &mut Loads,
        cursors: &mut RoundRobinState,
    ) -> Vec<AssignmentDecision> {
        subjects
            .iter()
            .map(|subject| {
                let context = AssignmentContext {
                    org,
                    pools,
                    loads,
                    cursors,
                    exclude: &[],
                };
                let decision = self.assign(subject, &context);
                decision.commit(cursors, loads);
                decision
            })
            .collect()
    }
}

/// Upper bound on explanation steps per assignment.
const MAX_STEPS: usize = 4_096;

struct Run<'a> {
    policy: &'a AssignmentPolicy,
    subject: &'a AssignmentSubject,
    context: &'a AssignmentContext<'a>,
    steps: Vec<AssignmentStep>,
    cursor: Option<CursorMove>,
    depth_left: usize,
}

impl Run<'_> {
    /// Runs a rule set. Nesting is bounded by the number of teams and the total work by
    /// [`MAX_STEPS`], so even an unvalidated policy with cycles terminates quickly.
    fn rule_set(&mut self, scope: Scope, rule_set: &RuleSet) -> Option<AssignmentOutcome> {
        if self.depth_left == 0 || self.steps.len() >= MAX_STEPS {
            self.steps.push(AssignmentStep::TooDeep);
            return None;
        }
        self.depth_left -= 1;
        let outcome = self.rule_set_body(scope, rule_set);
        self.depth_left += 1;
        outcome
    }

    fn rule_set_body(&mut self, scope: Scope, rule_set: &RuleSet) -> Option<AssignmentOutcome> {
        self.steps.push(AssignmentStep::RuleSet {
            scope: scope.clone(),
        });
        for rule in rule_set.ordered() {
            if let Some(outcome) = self.rule(rule) {
                return Some(outcome);
            }
        }
        let team = match &scope {
            Scope::Company => None,
            Scope::Team(team) => Some(team.clone()),
        };
        match &rule_set.fallback {
            Some(target) => {
                self.steps.push(AssignmentStep::Fallback { scope });
                let key = CursorKey::fallback(team.as_ref());
                self.target(target, None, &key, None)
            }
            None => {
                self.steps.push(AssignmentStep::NoFallback { scope });
                None
            }
        }
    }

    fn rule(&mut self, rule: &AssignmentRule) -> Option<AssignmentOutcome> {
        if !rule.enabled {
            self.steps.push(AssignmentStep::Disabled {
                rule: rule.id.clone(),
            });
            return None;
        }
        match rule.condition.evaluate(self.subject) {
            Err(miss) => {
                self.steps.push(AssignmentStep::NotMatched {
                    rule: rule.id.clone(),
                    miss,
                });
                None
            }
            Ok(hits) => {
                self.steps.push(AssignmentStep::Matched {
                    rule: rule.id.clone(),
                    hits,
                });
                let key = CursorKey::rule(&rule.id);
                self.target(&rule.target, Some(&rule.id), &key, rule.max_open_leads)
            }
        }
    }

    fn target(
        &mut self,
        target: &AssignmentTarget,
        rule: Option<&RuleId>,
        key: &CursorKey,
        max_open_leads: Option<u32>,
    ) -> Option<AssignmentOutcome> {
        let org = self.context.org;
        match target {
            AssignmentTarget::TeamReps { team, strategy } => {
                if org.team(team).is_none() {
                    self.steps.push(AssignmentStep::StaleTarget);
                    return None;
                }
                let candidates = org.reps_of(team);
                self.pick(candidates, *strategy, rule, key, max_open_leads)
            }
            AssignmentTarget::Reps { reps, strategy } => {
                let candidates = reps
                    .iter()
                    .filter(|user| {
                        org.active_member(user)
                            .is_some_and(|member| member.role != Role::Admin)
                    })
                    .collect();
                self.pick(candidates, *strategy, rule, key, max_open_leads)
            }
            AssignmentTarget::Team { team } => {
                if org.team(team).is_none() {
                    self.steps.push(AssignmentStep::StaleTarget);
                    return None;
                }
                self.steps
                    .push(AssignmentStep::ToTeam { team: team.clone() });
                match self.policy.teams.get(team) {
                    Some(rule_set) => self.rule_set(Scope::Team(team.clone()), rule_set),
                    None => {
                        self.steps
                            .push(AssignmentStep::TeamDefault { team: team.clone() });
                        let candidates = org.reps_within(team);
                        let key = CursorKey::team(team);
                        self.pick(candidates, AssignmentStrategy::RoundRobin, None, &key, None)
                    }
                }
            }
            AssignmentTarget::TeamQueue { team } => {
                if org.team(team).is_none() {
                    self.steps.push(AssignmentStep::StaleTarget);
                    return None;
                }
                self.steps
                    .push(AssignmentStep::ToTeamQueue { team: team.clone() });
                Some(AssignmentOutcome::Team {
                    team: team.clone(),
                    rule: rule.cloned(),
                })
            }
            AssignmentTarget::Pool { pool } => {
                if self.context.pools.get(pool).is_none() {
                    self.steps.push(AssignmentStep::StaleTarget);
                    return None;
                }
                self.steps
                    .push(AssignmentStep::ToPool { pool: pool.clone() });
                Some(AssignmentOutcome::Pool {
                    pool: pool.clone(),
                    rule: rule.cloned(),
                })
            }
        }
    }

    fn pick(
        &mut self,
        mut candidates: Vec<&UserId>,
        strategy: AssignmentStrategy,
        rule: Option<&RuleId>,
        key: &CursorKey,
        max_open_leads: Option<u32>,
    ) -> Option<AssignmentOutcome> {
        candidates.sort();
        candidates.dedup();
        let load = |user: &UserId| self.context.loads.get(user).copied().unwrap_or(0);
        let total = candidates.len();
        candidates.retain(|user| !self.context.exclude.contains(user));
        let excluded = total - candidates.len();
        let before_capacity = candidates.len();
        if let Some(max) = max_open_leads {
            candidates.retain(|user| load(user) < max);
        }
        let at_capacity = before_capacity - candidates.len();
        let rotation = self.context.cursors.rotation(key, &candidates);
        let picked = match strategy {
            AssignmentStrategy::RoundRobin => rotation.first().copied(),
            AssignmentStrategy::LeastLoaded => {
                rotation.iter().copied().min_by_key(|user| load(user))
            }
        };
        let Some(user) = picked else {
            self.steps.push(AssignmentStep::NoEligibleRep {
                rule: rule.cloned(),
                candidates: total,
                excluded,
                at_capacity,
            });
            return None;
        };
        self.steps.push(AssignmentStep::Picked {
            user: user.clone(),
            strategy,
            open_leads: load(user),
            eligible: candidates.len(),
        });
        self.cursor = Some(CursorMove {
            key: key.clone(),
            user: user.clone(),
        });
        Some(AssignmentOutcome::Owner {
            user: user.clone(),
            rule: rule.cloned(),
        })
    }
}

impl Localized for AssignmentStep {
    fn localized(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        let scope_name = |scope: &Scope| match (scope, zh) {
            (Scope::Company, true) => "公司级".to_owned(),
            (Scope::Company, false) => "the company's".to_owned(),
            (Scope::Team(team), true) => format!("团队 {team} 的"),
            (Scope::Team(team), false) => format!("team {team}'s"),
        };
        match self {
            AssignmentStep::RuleSet { scope } if zh => {
                format!("开始执行{}分配规则", scope_name(scope))
            }
            AssignmentStep::RuleSet { scope } => format!("evaluating {} rules", scope_name(scope)),
            AssignmentStep::Disabled { rule } if zh => format!("规则 {rule} 已停用，跳过"),
            AssignmentStep::Disabled { rule } => format!("rule {rule} is disabled, skipped"),
            AssignmentStep::NotMatched { rule, miss } => {
                let field = field_name(miss.field, locale);
                let accepted = miss.accepted.join(if zh { "、" } else { ", " });
                match (&miss.found, zh) {
                    (Some(found), true) => {
                        format!("规则 {rule} 未命中：{field}为 {found}，要求 {accepted}")
                    }
                    (None, true) => format!("规则 {rule} 未命中：缺少{field}，要求 {accepted}"),
                    (Some(found), false) => {
                        format!("rule {rule} did not match: {field} is {found}, needs {accepted}")
                    }
                    (None, false) => {
                        format!("rule {rule} did not match: no {field}, needs {accepted}")
                    }
                }
            }
            AssignmentStep::Matched { rule, hits } => {
                let facts: Vec<String> = hits
                    .iter()
                    .map(|hit| format!("{} = {}", field_name(hit.field, locale), hit.value))
                    .collect();
                match (facts.is_empty(), zh) {
                    (true, true) => format!("规则 {rule} 命中（无条件）"),
                    (true, false) => format!("rule {rule} matched (no condition)"),
                    (false, true) => format!("规则 {rule} 命中：{}", facts.join("，")),
                    (false, false) => format!("rule {rule} matched: {}", facts.join(", ")),
                }
            }
            AssignmentStep::NoEligibleRep {
                rule,
                candidates,
                excluded,
                at_capacity,
            } => {
                let who = match (rule, zh) {
                    (Some(rule), true) => format!("规则 {rule}"),
                    (Some(rule), false) => format!("rule {rule}"),
                    (None, true) => "兜底分配".to_owned(),
                    (None, false) => "the fallback".to_owned(),
                };
                if zh {
                    format!(
                        "{who}没有可分配的人：候选 {candidates} 人，排除 {excluded} 人，已满额 {at_capacity} 人"
                    )
                } else {
                    format!(
                        "{who} found nobody eligible: {candidates} candidates, {excluded} excluded, {at_capacity} at capacity"
                    )
                }
            }
            AssignmentStep::Picked {
                user,
                strategy,
                open_leads,
                eligible,
            } => match (strategy, zh) {
                (AssignmentStrategy::RoundRobin, true) => {
                    format!("按轮流分配给 {user}（{eligible} 人可选）")
                }
                (AssignmentStrategy::RoundRobin, false) => {
                    format!("assigned to {user} in turn ({eligible} eligible)")
                }
                (AssignmentStrategy::LeastLoaded, true) => format!(
                    "按负载最少分配给 {user}（当前 {open_leads} 条未关闭线索，{eligible} 人可选）"
                ),
                (AssignmentStrategy::LeastLoaded, false) => format!(
                    "assigned to {user}, who has the fewest open leads ({open_leads}; {eligible} eligible)"
                ),
            },
            AssignmentStep::ToTeam { team } if zh => format!("转交团队 {team} 分配"),
            AssignmentStep::ToTeam { team } => format!("handed to team {team}"),
            AssignmentStep::TeamDefault { team } if zh => {
                format!("团队 {team} 未设置规则，在团队成员中轮流分配")
            }
            AssignmentStep::TeamDefault { team } => {
                format!("team {team} has no rules: rotating over its reps")
            }
            AssignmentStep::ToTeamQueue { team } if zh => format!("交给团队 {team} 的经理手动分配"),
            AssignmentStep::ToTeamQueue { team } => {
                format!("left with team {team} for its managers to assign")
            }
            AssignmentStep::ToPool { pool } if zh => format!("放入线索池 {pool}"),
            AssignmentStep::ToPool { pool } => format!("put into pool {pool}"),
            AssignmentStep::StaleTarget if zh => "目标团队或线索池已不存在，跳过".to_owned(),
            AssignmentStep::StaleTarget => {
                "the target team or pool no longer exists, skipped".to_owned()
            }
            AssignmentStep::TooDeep if zh => "分配层级过深（规则可能循环引用），已跳过".to_owned(),
            AssignmentStep::TooDeep => {
                "distribution nested too deeply (the rules may cycle), skipped".to_owned()
            }
            AssignmentStep::Fallback { scope } if zh => {
                format!("无规则命中，使用{}兜底分配", scope_name(scope))
            }
            AssignmentStep::Fallback { scope } => {
                format!("no rule placed it: using {} fallback", scope_name(scope))
            }
            AssignmentStep::NoFallback { scope } if zh => {
                format!("无规则命中，且{}规则没有兜底", scope_name(scope))
            }
            AssignmentStep::NoFallback { scope } => {
                format!(
                    "no rule placed it and {} rules have no fallback",
                    scope_name(scope)
                )
            }
        }
    }
}

fn field_name(field: SubjectField, locale: Locale) -> &'static str {
    match (field, locale) {
        (SubjectField::Region, Locale::ZhCn) => "地区",
        (SubjectField::Region, Locale::En) => "region",
        (SubjectField::Industry, Locale::ZhCn) => "行业",
        (SubjectField::Industry, Locale::En) => "industry",
        (SubjectField::ProductLine, Locale::ZhCn) => "产品线",
        (SubjectField::ProductLine, Locale::En) => "product line",
        (SubjectField::Source, Locale::ZhCn) => "来源渠道",
        (SubjectField::Source, Locale::En) => "source",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::organisation::{Member, Team};

    #[test]
    fn an_unvalidated_cycle_terminates() {
        let team = |id: &str| TeamId::new(id).unwrap();
        let org = Organisation::new(
            "c",
            vec![
                Team {
                    id: team("a"),
                    name: "a".into(),
                    parent: None,
                },
                Team {
                    id: team("b"),
                    name: "b".into(),
                    parent: None,
                },
            ],
            vec![Member {
                id: UserId::new("r").unwrap(),
                name: "r".into(),
                role: Role::Rep,
                team: Some(team("a")),
                active: true,
            }],
        )
        .unwrap();
        let hand_to = |target: &str| RuleSet {
            rules: vec![],
            fallback: Some(AssignmentTarget::Team { team: team(target) }),
        };
        let policy = AssignmentPolicy {
            company: hand_to("a"),
            teams: BTreeMap::from([(team("a"), hand_to("b")), (team("b"), hand_to("a"))]),
        };
        let (pools, loads, cursors) = (
            PoolDirectory::default(),
            Loads::new(),
            RoundRobinState::new(),
        );
        let context = AssignmentContext {
            org: &org,
            pools: &pools,
            loads: &loads,
            cursors: &cursors,
            exclude: &[],
        };
        let decision = policy.assign(&AssignmentSubject::default(), &context);
        assert_eq!(decision.outcome, AssignmentOutcome::Unassigned);
        assert!(decision.steps.contains(&AssignmentStep::TooDeep));
        assert!(decision.cursor.is_none());
    }
}
