//! The one question forecasts and reports ask of the organisation: which team is a team's
//! parent. The organisation model implements it; tests can use a plain map.

use std::collections::BTreeMap;

use crate::id::TeamId;

/// Parent links of the team tree (company → teams → sub-teams).
pub trait TeamHierarchy {
    /// The parent of `team`, or `None` for a top-level team.
    fn parent_team(&self, team: &TeamId) -> Option<&TeamId>;

    /// `team` followed by its ancestors up to the top, stopping at a cycle in corrupt input.
    fn team_and_ancestors(&self, team: &TeamId) -> Vec<TeamId> {
        let mut chain = vec![team.clone()];
        let mut current = team;
        while let Some(parent) = self.parent_team(current) {
            if chain.contains(parent) {
                break;
            }
            chain.push(parent.clone());
            current = parent;
        }
        chain
    }
}

/// A child → parent map.
impl TeamHierarchy for BTreeMap<TeamId, TeamId> {
    fn parent_team(&self, team: &TeamId) -> Option<&TeamId> {
        self.get(team)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str) -> TeamId {
        TeamId::new(id).unwrap()
    }

    #[test]
    fn walks_up_and_survives_cycles() {
        let mut parents = BTreeMap::new();
        parents.insert(team("east-1"), team("east"));
        parents.insert(team("east"), team("company"));
        assert_eq!(
            parents.team_and_ancestors(&team("east-1")),
            vec![team("east-1"), team("east"), team("company")]
        );
        parents.insert(team("company"), team("east-1"));
        assert_eq!(parents.team_and_ancestors(&team("east-1")).len(), 3);
    }
}
