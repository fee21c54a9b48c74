//! Assignment rules as data: conditions, targets, strategies, priorities and fallbacks, with
//! validation against the organisation.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::assignment::error::PolicyIssue;
use crate::i18n::LocalizedText;
use crate::id::{ChannelId, PoolId, RuleId, TeamId, UserId};
use crate::lead::normalize::normalize_label;
use crate::lead::record::Lead;
use crate::org::organisation::{Organisation, Role};
use crate::pool::config::PoolDirectory;

/// What rules look at: the facts of a new lead or deal.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct AssignmentSubject {
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<String>,
    /// Product line (a lead's product interest).
    #[serde(default)]
    pub product_line: Option<String>,
    /// Source channel.
    #[serde(default)]
    pub source: Option<ChannelId>,
}

impl AssignmentSubject {
    /// The facts of a lead.
    pub fn of_lead(lead: &Lead) -> Self {
        AssignmentSubject {
            region: lead.region.clone(),
            industry: lead.industry.clone(),
            product_line: lead.product_interest.clone(),
            source: Some(lead.source.clone()),
        }
    }
}

/// A fact a condition can test.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectField {
    /// Region.
    Region,
    /// Industry.
    Industry,
    /// Product line.
    ProductLine,
    /// Source channel.
    Source,
}

/// When a rule applies. Each non-empty list must contain the subject's value (labels compared
/// loosely, see [`crate::normalize_label`]); empty lists match anything.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Condition {
    /// Accepted regions.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Accepted industries.
    #[serde(default)]
    pub industries: Vec<String>,
    /// Accepted product lines.
    #[serde(default)]
    pub product_lines: Vec<String>,
    /// Accepted source channels.
    #[serde(default)]
    pub sources: Vec<ChannelId>,
}

/// Why a condition did not match: the first field that failed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConditionMiss {
    /// The field.
    pub field: SubjectField,
    /// The values the rule accepts.
    pub accepted: Vec<String>,
    /// The subject's value, if it has one.
    pub found: Option<String>,
}

/// A field that a matching condition tested, and the value that satisfied it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConditionHit {
    /// The field.
    pub field: SubjectField,
    /// The subject's value.
    pub value: String,
}

impl Condition {
    /// The tested fields that matched, or the first that did not. A condition without any list
    /// matches with no hits.
    pub fn evaluate(
        &self,
        subject: &AssignmentSubject,
    ) -> Result<Vec<ConditionHit>, ConditionMiss> {
        let sources: Vec<String> = self.sources.iter().map(ToString::to_string).collect();
        let checks: [(SubjectField, &[String], Option<String>); 4] = [
            (SubjectField::Region, &self.regions, subject.region.clone()),
            (
                SubjectField::Industry,
                &self.industries,
                subject.industry.clone(),
            ),
            (
                SubjectField::ProductLine,
                &self.product_lines,
                subject.product_line.clone(),
            ),
            (
                SubjectField::Source,
                &sources,
                subject.source.as_ref().map(ToString::to_string),
            ),
        ];
        let mut hits = Vec::new();
        for (field, accepted, found) in checks {
            if accepted.is_empty() {
                continue;
            }
            let matched = found.as_deref().is_some_and(|value| {
                let value = normalize_label(value);
                accepted
                    .iter()
                    .any(|candidate| normalize_label(candidate) == value)
            });
            match (matched, found) {
                (true, Some(value)) => hits.push(ConditionHit { field, value }),
                (_, found) => {
                    return Err(ConditionMiss {
                        field,
                        accepted: accepted.to_vec(),
                        found,
                    });
                }
            }
        }
        Ok(hits)
    }
}

/// How to choose among several candidate reps.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStrategy {
    /// In turn, by user id, continuing after whoever got the previous lead.
    RoundRobin,
    /// Whoever has the fewest open leads; ties in round-robin order.
    LeastLoaded,
}

/// Where a matching rule sends the subject.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AssignmentTarget {
    /// One of the active reps who are direct members of `team`.
    TeamReps {
        /// The team.
        team: TeamId,
        /// How to choose.
        strategy: AssignmentStrategy,
    },
    /// One of the listed reps (inactive ones are skipped).
    Reps {
        /// The candidates.
        reps: Vec<UserId>,
        /// How to choose.
        strategy: AssignmentStrategy,
    },
    /// Hand over to `team`'s own rule set (cascading distribution: company → team → rep). A
    /// team without a rule set rotates over the active reps in its subtree.
    Team {
        /// The team.
        team: TeamId,
    },
    /// Hand it to `team`'s queue for one of its managers to assign by hand.
    TeamQueue {
        /// The team.
        team: TeamId,
    },
    /// Put it into a pool for reps to claim.
    Pool {
        /// The pool.
        pool: PoolId,
    },
}

/// One rule.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AssignmentRule {
    /// Identifier, unique across the policy.
    pub id: RuleId,
    /// Display name, e.g. "华东制造业 → 华东一组".
    pub name: LocalizedText,
    /// Lower runs first; equal priorities run in list order.
    pub priority: u32,
    /// When the rule applies.
    #[serde(default)]
    pub condition: Condition,
    /// Where it sends the subject.
    pub target: AssignmentTarget,
    /// Reps with this many open leads or more are skipped by this rule.
    #[serde(default)]
    pub max_open_leads: Option<u32>,
    /// Disabled rules are skipped (and say so in the explanation).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// The rules of one level of distribution, and where to go when none picks an owner.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct RuleSet {
    /// The rules.
    #[serde(default)]
    pub rules: Vec<AssignmentRule>,
    /// Used when no rule matches or no matching rule finds an eligible rep.
    #[serde(default)]
    pub fallback: Option<AssignmentTarget>,
}

impl RuleSet {
    /// The enabled and disabled rules, by priority then list order.
    pub fn ordered(&self) -> Vec<&AssignmentRule> {
        let mut rules: Vec<&AssignmentRule> = self.rules.iter().collect();
        rules.sort_by_key(|rule| rule.priority);
        rules
    }
}

/// Company-level rules plus per-team rules for cascading distribution.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct AssignmentPolicy {
    /// Where every new lead starts.
    pub company: RuleSet,
    /// Each team's own rules, used when a rule hands a lead to that team.
    #[serde(default)]
    pub teams: BTreeMap<TeamId, RuleSet>,
}

impl AssignmentPolicy {
    /// Every problem with this policy against `org` and `pools`; empty when it is valid.
    ///
    /// Rule ids must be unique; teams, users and pools must exist; listed reps must be able to
    /// own leads; and a team's rules may only target that team's subtree (distribution flows
    /// down the hierarchy, which also rules out cycles).
    pub fn issues(&self, org: &Organisation, pools: &PoolDirectory) -> Vec<PolicyIssue> {
        let mut issues = Vec::new();
        let mut seen = BTreeSet::new();
        let levels = std::iter::once((None, &self.company))
            .chain(self.teams.iter().map(|(team, rules)| (Some(team), rules)));
        for (scope, rule_set) in levels {
            if let Some(team) = scope
                && org.team(team).is_none()
            {
                issues.push(PolicyIssue::UnknownTeam {
                    rule: None,
                    team: team.clone(),
                });
                continue;
            }
            for rule in &rule_set.rules {
                if !seen.insert(&rule.id) {
                    issues.push(PolicyIssue::DuplicateRule {
                        rule: rule.id.clone(),
                    });
                }
                if rule.name.is_incomplete() {
                    issues.push(PolicyIssue::UnnamedRule {
                        rule: rule.id.clone(),
                    });
                }
                check_target(&rule.target, Some(&rule.id), scope, org, pools, &mut issues);
            }
            if let Some(fallback) = &rule_set.fallback {
                check_target(fallback, None, scope, org, pools, &mut issues);
            }
        }
        issues
    }
}

fn check_target(
    target: &AssignmentTarget,
    rule: Option<&RuleId>,
    scope: Option<&TeamId>,
    org: &Organisation,
    pools: &PoolDirectory,
    issues: &mut Vec<PolicyIssue>,
) {
    let rule = rule.cloned();
    let check_team = |team: &TeamId, strictly_below: bool, issues: &mut Vec<PolicyIssue>| {
        if org.team(team).is_none() {
            issues.push(PolicyIssue::UnknownTeam {
                rule: rule.clone(),
                team: team.clone(),
            });
        } else if let Some(scope) = scope {
            let below = org.is_within(team, scope) && (!strictly_below || team != scope);
            if !below {
                issues.push(PolicyIssue::OutsideTeam {
                    rule: rule.clone(),
                    team: scope.clone(),
                });
            }
        }
    };
    match target {
        AssignmentTarget::TeamReps { team, .. } => check_team(team, false, issues),
        AssignmentTarget::Team { team } => check_team(team, true, issues),
        AssignmentTarget::TeamQueue { team } => check_team(team, false, issues),
        AssignmentTarget::Reps { reps, .. } => {
            if reps.is_empty() {
                issues.push(PolicyIssue::NoCandidates { rule: rule.clone() });
            }
            for user in reps {
                match org.member(user) {
                    None => issues.push(PolicyIssue::UnknownUser {
                        rule: rule.clone(),
                        user: user.clone(),
                    }),
                    Some(member) if member.role == Role::Admin => {
                        issues.push(PolicyIssue::NotAssignable {
                            rule: rule.clone(),
                            user: user.clone(),
                        });
                    }
                    Some(member) => {
                        let inside = match (scope, &member.team) {
                            (None, _) => true,
                            (Some(scope), Some(team)) => org.is_within(team, scope),
                            (Some(_), None) => false,
                        };
                        if !inside && let Some(scope) = scope {
                            issues.push(PolicyIssue::OutsideTeam {
                                rule: rule.clone(),
                                team: scope.clone(),
                            });
                        }
                    }
                }
            }
        }
        AssignmentTarget::Pool { pool } => {
            if pools.get(pool).is_none() {
                issues.push(PolicyIssue::UnknownPool {
                    rule: rule.clone(),
                    pool: pool.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> AssignmentSubject {
        AssignmentSubject {
            region: Some("华东".into()),
            industry: None,
            product_line: Some("CRM-Pro".into()),
            source: Some(ChannelId::new("trade_show").unwrap()),
        }
    }

    #[test]
    fn empty_conditions_match_everything() {
        assert_eq!(Condition::default().evaluate(&subject()), Ok(vec![]));
    }

    #[test]
    fn labels_match_loosely_and_misses_name_the_first_failing_field() {
        let condition = Condition {
            regions: vec!["华南".into(), " 华东 ".into()],
            product_lines: vec!["crm pro".into()],
            ..Condition::default()
        };
        let hits = condition.evaluate(&subject()).unwrap();
        assert_eq!(
            hits.iter().map(|hit| hit.field).collect::<Vec<_>>(),
            [SubjectField::Region, SubjectField::ProductLine]
        );
        let needs_industry = Condition {
            industries: vec!["制造业".into()],
            sources: vec![ChannelId::new("referral").unwrap()],
            ..Condition::default()
        };
        let miss = needs_industry.evaluate(&subject()).unwrap_err();
        assert_eq!(miss.field, SubjectField::Industry);
        assert_eq!(miss.found, None);
    }

    #[test]
    fn ordering_is_by_priority_then_list_order() {
        let rule = |id: &str, priority| AssignmentRule {
            id: RuleId::new(id).unwrap(),
            name: LocalizedText::new(id, id),
            priority,
            condition: Condition::default(),
            target: AssignmentTarget::Pool {
                pool: PoolId::new("p").unwrap(),
            },
            max_open_leads: None,
            enabled: true,
        };
        let rule_set = RuleSet {
            rules: vec![rule("c", 2), rule("a", 1), rule("b", 2)],
            fallback: None,
        };
        let order: Vec<&str> = rule_set
            .ordered()
            .iter()
            .map(|rule| rule.id.as_str())
            .collect();
        assert_eq!(order, ["a", "c", "b"]);
    }
}
