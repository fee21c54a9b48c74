//! The demo organisation: a sales department with regional teams, each a manager and reps.

use serde::{Deserialize, Serialize};

use super::vocabulary::{self, Region};
use crate::i18n::LocalizedText;
use crate::id::{TeamId, UserId};

/// A person of the demo organisation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoUser {
    /// The user id (what tokens carry as `sub`).
    pub id: UserId,
    /// The name in Chinese characters and in Latin script.
    pub name: LocalizedText,
}

/// A sales region; the accounts of a team are companies in its region's cities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DemoRegion {
    /// 华东: Shanghai, Hangzhou, Ningbo, Nanjing, Suzhou, …
    EastChina,
    /// 华南: Shenzhen, Guangzhou, Dongguan, Xiamen, …
    SouthChina,
    /// 华北: Beijing, Tianjin, Jinan, Qingdao, …
    NorthChina,
    /// 西南: Chengdu, Chongqing, Kunming, Guiyang.
    SouthwestChina,
}

impl DemoRegion {
    /// The region's name; the zh-CN form is what deals store in `account.region`.
    pub fn label(self) -> LocalizedText {
        let region = self.spec();
        LocalizedText::new(region.zh_cn, region.en)
    }

    pub(super) fn spec(self) -> &'static Region {
        match self {
            DemoRegion::EastChina => &vocabulary::EAST_CHINA,
            DemoRegion::SouthChina => &vocabulary::SOUTH_CHINA,
            DemoRegion::NorthChina => &vocabulary::NORTH_CHINA,
            DemoRegion::SouthwestChina => &vocabulary::WEST_CHINA,
        }
    }
}

/// A regional sales team.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoTeam {
    /// The team id.
    pub id: TeamId,
    /// The team's name.
    pub name: LocalizedText,
    /// Where its accounts are.
    pub region: DemoRegion,
    /// Its manager, who comments on deals and adjusts forecasts.
    pub manager: DemoUser,
    /// Its reps, who own the deals.
    pub reps: Vec<DemoUser>,
}

/// The demo organisation: an admin over a sales department of regional teams.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoOrg {
    /// The department every team belongs to (the top of the team tree).
    pub department: TeamId,
    /// The department's name.
    pub department_name: LocalizedText,
    /// The administrator.
    pub admin: DemoUser,
    /// The regional teams.
    pub teams: Vec<DemoTeam>,
}

impl super::DemoConfig {
    /// The organisation the server seeds into an empty directory (`Directory::demo` in
    /// `server/src/directory/seed.rs`; a test in `server/src/demo.rs` checks that the two agree): 陈静 Chen Jing,
    /// admin of 销售部; 华东区 with manager 王芳 and reps 张伟 and 刘洋; 华南区 with manager 李强
    /// and reps 赵敏 and 黄磊.
    pub fn default_org() -> DemoOrg {
        let user = |id: &'static str, zh_cn: &str, en: &str| DemoUser {
            id: UserId::new(id)
                .unwrap_or_else(|_| unreachable!("demo user ids are valid literals")),
            name: LocalizedText::new(zh_cn, en),
        };
        let team = |id: &'static str| {
            TeamId::new(id).unwrap_or_else(|_| unreachable!("demo team ids are valid literals"))
        };
        DemoOrg {
            department: team("sales"),
            department_name: LocalizedText::new("销售部", "Sales"),
            admin: user("chen-jing", "陈静", "Chen Jing"),
            teams: vec![
                DemoTeam {
                    id: team("east"),
                    name: LocalizedText::new("华东区", "East China"),
                    region: DemoRegion::EastChina,
                    manager: user("wang-fang", "王芳", "Wang Fang"),
                    reps: vec![
                        user("zhang-wei", "张伟", "Zhang Wei"),
                        user("liu-yang", "刘洋", "Liu Yang"),
                    ],
                },
                DemoTeam {
                    id: team("south"),
                    name: LocalizedText::new("华南区", "South China"),
                    region: DemoRegion::SouthChina,
                    manager: user("li-qiang", "李强", "Li Qiang"),
                    reps: vec![
                        user("zhao-min", "赵敏", "Zhao Min"),
                        user("huang-lei", "黄磊", "Huang Lei"),
                    ],
                },
            ],
        }
    }
}

impl DemoOrg {
    /// Every rep with their team, in team order.
    pub fn reps(&self) -> impl Iterator<Item = (&DemoTeam, &DemoUser)> {
        self.teams
            .iter()
            .flat_map(|team| team.reps.iter().map(move |rep| (team, rep)))
    }

    /// Every user: the admin, then each team's manager and reps.
    pub fn users(&self) -> impl Iterator<Item = &DemoUser> {
        std::iter::once(&self.admin).chain(
            self.teams
                .iter()
                .flat_map(|team| std::iter::once(&team.manager).chain(team.reps.iter())),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn standard_org_has_two_teams_of_two_reps() {
        let org = crate::demo::DemoConfig::default_org();
        assert_eq!(org.teams.len(), 2);
        assert_eq!(org.reps().count(), 4);
        assert_eq!(org.users().count(), 7);
        assert_eq!(org.teams[0].region.label().zh_cn, "华东");
        assert_eq!(org.teams[1].region.label().en, "South China");
    }
}
