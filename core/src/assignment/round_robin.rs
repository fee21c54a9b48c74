//! Round-robin cursors: who got the last lead from each rotation, kept as data so fairness is
//! deterministic and survives restarts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::{RuleId, TeamId, UserId};

/// Identifies one rotation: a rule, a team's default rotation or a fallback.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CursorKey(String);

impl CursorKey {
    /// The rotation of a rule.
    pub fn rule(rule: &RuleId) -> Self {
        CursorKey(format!("rule:{rule}"))
    }

    /// The default rotation of a team without its own rules.
    pub fn team(team: &TeamId) -> Self {
        CursorKey(format!("team:{team}"))
    }

    /// The rotation of a rule set's fallback (`None`: the company's).
    pub fn fallback(team: Option<&TeamId>) -> Self {
        match team {
            Some(team) => CursorKey(format!("fallback:team:{team}")),
            None => CursorKey("fallback:company".to_owned()),
        }
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A cursor update produced by an assignment: `key`'s rotation last served `user`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CursorMove {
    /// The rotation.
    pub key: CursorKey,
    /// Who was picked.
    pub user: UserId,
}

/// The last user served by each rotation. The next pick is the first candidate, in user-id
/// order, after the last one served (wrapping around), so over any run of assignments to a
/// fixed set of candidates the counts differ by at most one.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundRobinState {
    last: BTreeMap<CursorKey, UserId>,
}

impl RoundRobinState {
    /// No rotation has served anyone yet.
    pub fn new() -> Self {
        RoundRobinState::default()
    }

    /// Who `key`'s rotation served last.
    pub fn last(&self, key: &CursorKey) -> Option<&UserId> {
        self.last.get(key)
    }

    /// Applies the cursor move of a decision.
    pub fn record(&mut self, update: &CursorMove) {
        self.last.insert(update.key.clone(), update.user.clone());
    }

    /// `candidates` (sorted, deduplicated) rotated to start right after `key`'s last pick.
    pub(crate) fn rotation<'a>(
        &self,
        key: &CursorKey,
        candidates: &[&'a UserId],
    ) -> Vec<&'a UserId> {
        let start = match self.last.get(key) {
            Some(last) => candidates.partition_point(|candidate| *candidate <= last),
            None => 0,
        };
        let (before, after) = candidates.split_at(start.min(candidates.len()));
        after.iter().chain(before).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_continues_after_the_last_pick() {
        let users: Vec<UserId> = ["a", "b", "c"].map(|id| UserId::new(id).unwrap()).to_vec();
        let candidates: Vec<&UserId> = users.iter().collect();
        let key = CursorKey::rule(&RuleId::new("r").unwrap());
        let mut state = RoundRobinState::new();
        let order = |state: &RoundRobinState| -> Vec<String> {
            state
                .rotation(&key, &candidates)
                .into_iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(order(&state), ["a", "b", "c"]);
        state.record(&CursorMove {
            key: key.clone(),
            user: UserId::new("b").unwrap(),
        });
        assert_eq!(order(&state), ["c", "a", "b"]);
        // The last pick left the team: continue with whoever sorts after them.
        state.record(&CursorMove {
            key: key.clone(),
            user: UserId::new("bb").unwrap(),
        });
        assert_eq!(order(&state), ["c", "a", "b"]);
    }
}
