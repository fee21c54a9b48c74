//! The demo organisation written into an empty database on first start.

use dealflow_core::{LocalizedText, TeamId, UserId};

use super::{Directory, Role, Team, User};

/// `(id, 中文名, English name, parent)`, parents first.
const TEAMS: &[(&str, &str, &str, Option<&str>)] = &[
    ("sales", "销售部", "Sales", None),
    ("east", "华东区", "East China", Some("sales")),
    ("south", "华南区", "South China", Some("sales")),
];

/// `(id, 中文名, name in Latin script, role, team)`.
const USERS: &[(&str, &str, &str, Role, &str)] = &[
    ("chen-jing", "陈静", "Chen Jing", Role::Admin, "sales"),
    ("wang-fang", "王芳", "Wang Fang", Role::Manager, "east"),
    ("li-qiang", "李强", "Li Qiang", Role::Manager, "south"),
    ("zhang-wei", "张伟", "Zhang Wei", Role::Rep, "east"),
    ("liu-yang", "刘洋", "Liu Yang", Role::Rep, "east"),
    ("zhao-min", "赵敏", "Zhao Min", Role::Rep, "south"),
    ("huang-lei", "黄磊", "Huang Lei", Role::Rep, "south"),
];

impl Directory {
    /// The demo organisation: an admin over the sales department, and two regional teams
    /// (华东区 East China, 华南区 South China), each with a manager and two reps.
    pub fn demo() -> Self {
        // Constant data, not input: the test below keeps it valid.
        build().expect("the demo organisation is valid")
    }
}

fn build() -> Result<Directory, Box<dyn std::error::Error>> {
    let mut teams = Vec::with_capacity(TEAMS.len());
    for (id, name_zh, name_en, parent) in TEAMS {
        teams.push(Team {
            id: TeamId::new(*id)?,
            name: LocalizedText::new(*name_zh, *name_en),
            parent: parent.map(TeamId::new).transpose()?,
        });
    }
    let mut users = Vec::with_capacity(USERS.len());
    for (id, name_zh, name_en, role, team) in USERS {
        users.push(User {
            id: UserId::new(*id)?,
            name: LocalizedText::new(*name_zh, *name_en),
            role: *role,
            team: Some(TeamId::new(*team)?),
        });
    }
    Ok(Directory::new(teams, users)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_has_an_admin_two_managers_and_four_reps_in_two_teams() {
        let directory = build().unwrap();
        let count = |role| directory.users().filter(|user| user.role == role).count();
        assert_eq!(count(Role::Admin), 1);
        assert_eq!(count(Role::Manager), 2);
        assert_eq!(count(Role::Rep), 4);
        for manager in directory.users().filter(|user| user.role == Role::Manager) {
            let reps = directory
                .users()
                .filter(|user| user.role == Role::Rep && user.team == manager.team)
                .count();
            assert_eq!(reps, 2, "{} leads two reps", manager.id);
        }
        assert_eq!(Directory::demo(), directory);
    }
}
