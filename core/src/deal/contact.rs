//! The decision chain (power map) and competitors of a deal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::deal::DealError;
use crate::i18n::{Locale, Localized};
use crate::id::{ContactId, RecordId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// The part a contact plays in the buying decision.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// Makes the final decision (决策者).
    DecisionMaker,
    /// Sells for us inside the customer (内部支持者/教练).
    Champion,
    /// Shapes the decision without making it (影响者).
    Influencer,
    /// Will use the product (使用者).
    User,
    /// Evaluates the technology (技术把关者).
    Technical,
    /// Holds the budget or approves spending (财务把关者).
    Financial,
    /// Works against the deal (阻碍者).
    Blocker,
    /// Any other role.
    Other,
}

/// How a contact feels about us.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Supports us.
    Supporter,
    /// Undecided.
    Neutral,
    /// Opposes us.
    Opponent,
}

/// How much weight a contact's opinion carries.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Influence {
    /// Little influence.
    Low,
    /// Some influence.
    Medium,
    /// Strong influence.
    High,
}

/// A person at the customer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Contact {
    /// Identifier.
    pub id: ContactId,
    /// Name.
    pub name: String,
    /// Job title.
    pub title: String,
    /// Role in the decision.
    pub role: ContactRole,
    /// Stance towards us.
    pub stance: Stance,
    /// Influence on the decision.
    pub influence: Influence,
    /// When we last spoke with them.
    pub last_contacted: Option<Timestamp>,
    /// Phone number.
    pub phone: String,
    /// Email address.
    pub email: String,
}

/// The kind of an edge in the power map.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipKind {
    /// `from` reports to `to`.
    ReportsTo,
    /// `from` influences `to`.
    Influences,
}

/// An edge between two contacts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Relationship {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Source contact.
    pub from: ContactId,
    /// Target contact.
    pub to: ContactId,
    /// Reports to or influences.
    pub kind: RelationshipKind,
}

/// Where a competitor stands on the deal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompetitorStatus {
    /// Still in the running.
    Active,
    /// Out of the running.
    Eliminated,
    /// Won the deal against us.
    WonAgainstUs,
}

/// A competitor on the deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Competitor {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Competitor company.
    pub name: String,
    /// Their product.
    pub product: String,
    /// Their price, if known.
    pub price: Option<Money>,
    /// Their strengths, one per entry (so analytics can count them).
    pub strengths: Vec<String>,
    /// Their weaknesses, one per entry.
    pub weaknesses: Vec<String>,
    /// Active, eliminated or won against us.
    pub status: CompetitorStatus,
}

/// Something wrong with the power map's edges, reported rather than panicked on (edges arrive
/// from other devices and may outlive the contacts they name).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PowerMapProblem {
    /// An edge names a contact that is not on the deal.
    MissingContact {
        /// The edge.
        relationship: RecordId,
        /// The missing contact.
        contact: ContactId,
    },
    /// An edge links a contact to itself.
    SelfRelationship {
        /// The edge.
        relationship: RecordId,
        /// The contact.
        contact: ContactId,
    },
}

impl PowerMapProblem {
    /// A stable snake_case code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            PowerMapProblem::MissingContact { .. } => "missing_contact",
            PowerMapProblem::SelfRelationship { .. } => "self_relationship",
        }
    }
}

impl Localized for PowerMapProblem {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (
                Locale::ZhCn,
                PowerMapProblem::MissingContact {
                    relationship,
                    contact,
                },
            ) => format!("关系 {relationship} 指向的联系人 {contact} 不在本商机中"),
            (
                Locale::En,
                PowerMapProblem::MissingContact {
                    relationship,
                    contact,
                },
            ) => format!(
                "relationship {relationship} names contact {contact}, who is not on the deal"
            ),
            (
                Locale::ZhCn,
                PowerMapProblem::SelfRelationship {
                    relationship,
                    contact,
                },
            ) => format!("关系 {relationship} 将联系人 {contact} 与其本人相连"),
            (
                Locale::En,
                PowerMapProblem::SelfRelationship {
                    relationship,
                    contact,
                },
            ) => format!("relationship {relationship} links contact {contact} to themselves"),
        }
    }
}

/// The power map: who decides, who blocks, whom we have not met lately.
impl crate::deal::Deal {
    /// Adds a contact; the id must be new.
    pub fn add_contact(&mut self, contact: Contact) -> Result<(), DealError> {
        if self.contacts.contains_key(&contact.id) {
            return Err(DealError::DuplicateId {
                id: contact.id.to_string(),
            });
        }
        self.contacts.insert(contact.id.clone(), contact);
        Ok(())
    }

    /// Removes a contact and every power-map edge that names them. Follow-ups keep naming
    /// them as participants: they are history.
    pub fn remove_contact(&mut self, contact: &ContactId) -> Option<Contact> {
        let removed = self.contacts.remove(contact)?;
        self.relationships
            .retain(|_, edge| &edge.from != contact && &edge.to != contact);
        Some(removed)
    }

    /// Adds a reports-to or influences edge: both contacts must be on the deal, distinct, and
    /// the id new.
    pub fn add_relationship(&mut self, relationship: Relationship) -> Result<(), DealError> {
        if self.relationships.contains_key(&relationship.id) {
            return Err(DealError::DuplicateId {
                id: relationship.id.to_string(),
            });
        }
        if relationship.from == relationship.to {
            return Err(DealError::SelfRelationship {
                contact: relationship.from,
            });
        }
        self.check_contacts_known(&[relationship.from.clone(), relationship.to.clone()])?;
        self.relationships
            .insert(relationship.id.clone(), relationship);
        Ok(())
    }

    /// Whether a decision maker (决策者) is on the deal.
    pub fn decision_maker_identified(&self) -> bool {
        self.decision_makers().next().is_some()
    }

    /// The contacts with role decision maker, by id.
    pub fn decision_makers(&self) -> impl Iterator<Item = &Contact> {
        self.contacts
            .values()
            .filter(|contact| contact.role == ContactRole::DecisionMaker)
    }

    /// Who can stop the deal: contacts with role [`ContactRole::Blocker`] **or** stance
    /// [`Stance::Opponent`]. The two are recorded separately, but an opposed decision maker
    /// blocks as surely as a declared blocker, so both count. Most influential first, then by
    /// id.
    pub fn blockers(&self) -> Vec<&Contact> {
        let mut blockers: Vec<&Contact> = self
            .contacts
            .values()
            .filter(|contact| {
                contact.role == ContactRole::Blocker || contact.stance == Stance::Opponent
            })
            .collect();
        blockers.sort_by(|left, right| {
            right
                .influence
                .cmp(&left.influence)
                .then_with(|| left.id.cmp(&right.id))
        });
        blockers
    }

    /// When we last spoke with `contact`: the later of their `last_contacted` and the latest
    /// follow-up they took part in (follow-ups merged from another device may not have updated
    /// `last_contacted`). `None` when never, or when the contact is not on the deal.
    pub fn last_contact_with(&self, contact: &ContactId) -> Option<Timestamp> {
        let recorded = self.contacts.get(contact)?.last_contacted;
        let in_follow_ups = self
            .follow_ups
            .values()
            .filter(|follow_up| follow_up.participants.contains(contact))
            .map(|follow_up| follow_up.at)
            .max();
        recorded.max(in_follow_ups)
    }

    /// Contacts with at least `min_influence` whom we have not met in the last `days` days
    /// before `now` (never met, or last contact earlier than `now` − `days`). Pass
    /// [`Influence::High`] for the key people only, [`Influence::Medium`] to include those who
    /// shape the decision. Never-met contacts first, then longest unmet, then by id.
    ///
    /// ```
    /// use dealflow_core::*;
    /// # let pipeline = Pipeline::template_new_business();
    /// # let ctx = MoveContext { now: Timestamp::from_millis(1_764_000_000_000),
    /// #     offset: time::macros::offset!(+8), by: UserId::new("rep-li")?, transition_id: RecordId::new("t1")? };
    /// # let new = NewDeal { id: DealId::new("deal-1")?, title: "华东电网 CRM 二期".into(),
    /// #     account: Account::default(), amount: Money::from_major(100_000, Currency::CNY)?,
    /// #     expected_close: None, owner: UserId::new("rep-li")?, team: None, source: None, stage: None };
    /// # let (mut deal, _) = pipeline.open_deal(new, &ctx)?;
    /// let now = Timestamp::from_millis(1_765_000_000_000);
    /// let contact = |id: &str, influence, last_contacted| -> Result<Contact, IdError> {
    ///     Ok(Contact {
    ///         id: ContactId::new(id)?,
    ///         name: id.into(),
    ///         title: String::new(),
    ///         role: ContactRole::Influencer,
    ///         stance: Stance::Neutral,
    ///         influence,
    ///         last_contacted,
    ///         phone: String::new(),
    ///         email: String::new(),
    ///     })
    /// };
    /// deal.add_contact(contact("cfo", Influence::High, Some(now.plus_days(-40)))?)?;
    /// deal.add_contact(contact("it", Influence::Medium, Some(now.plus_days(-3)))?)?;
    /// deal.add_contact(contact("intern", Influence::Low, None)?)?;
    /// let unmet: Vec<&str> = deal
    ///     .contacts_not_met(Influence::Medium, 30, now)
    ///     .iter()
    ///     .map(|contact| contact.id.as_str())
    ///     .collect();
    /// assert_eq!(unmet, ["cfo"]);
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn contacts_not_met(
        &self,
        min_influence: Influence,
        days: u32,
        now: Timestamp,
    ) -> Vec<&Contact> {
        let cutoff = now.plus_days(-i64::from(days));
        let mut last_in_follow_ups: BTreeMap<&ContactId, Timestamp> = BTreeMap::new();
        for follow_up in self.follow_ups.values() {
            for participant in &follow_up.participants {
                let last = last_in_follow_ups
                    .entry(participant)
                    .or_insert(follow_up.at);
                *last = (*last).max(follow_up.at);
            }
        }
        let mut unmet: Vec<(&Contact, Option<Timestamp>)> = self
            .contacts
            .values()
            .filter(|contact| contact.influence >= min_influence)
            .map(|contact| {
                let last = contact
                    .last_contacted
                    .max(last_in_follow_ups.get(&contact.id).copied());
                (contact, last)
            })
            .filter(|(_, last)| last.is_none_or(|last| last < cutoff))
            .collect();
        // `None` sorts before any time: never-met contacts come first.
        unmet.sort_by(|(left, left_last), (right, right_last)| {
            left_last
                .cmp(right_last)
                .then_with(|| left.id.cmp(&right.id))
        });
        unmet.into_iter().map(|(contact, _)| contact).collect()
    }

    /// Edges that name missing contacts or link a contact to itself, in edge-id order.
    pub fn power_map_problems(&self) -> Vec<PowerMapProblem> {
        let mut problems = Vec::new();
        for edge in self.relationships.values() {
            if edge.from == edge.to {
                problems.push(PowerMapProblem::SelfRelationship {
                    relationship: edge.id.clone(),
                    contact: edge.from.clone(),
                });
            }
            for end in [&edge.from, &edge.to] {
                if !self.contacts.contains_key(end) {
                    problems.push(PowerMapProblem::MissingContact {
                        relationship: edge.id.clone(),
                        contact: end.clone(),
                    });
                }
                if edge.from == edge.to {
                    break;
                }
            }
        }
        problems
    }

    /// The contacts `contact` reports to, skipping edges to missing contacts.
    pub fn reports_to(&self, contact: &ContactId) -> Vec<&Contact> {
        self.relationships
            .values()
            .filter(|edge| edge.kind == RelationshipKind::ReportsTo && &edge.from == contact)
            .filter_map(|edge| self.contacts.get(&edge.to))
            .collect()
    }

    /// The contacts who influence `contact`, skipping edges from missing contacts.
    pub fn influencers_of(&self, contact: &ContactId) -> Vec<&Contact> {
        self.relationships
            .values()
            .filter(|edge| edge.kind == RelationshipKind::Influences && &edge.to == contact)
            .filter_map(|edge| self.contacts.get(&edge.from))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::{Deal, DealError, FollowUp, FollowUpKind};
    use crate::fixture::{contact, contact_id, day, open, record, user};
    use crate::i18n::{Locale, Localized};
    use crate::pipeline::Pipeline;

    fn deal() -> Deal {
        open(&Pipeline::template_new_business())
    }

    fn edge(id: &str, from: &str, to: &str, kind: RelationshipKind) -> Relationship {
        Relationship {
            id: record(id),
            from: contact_id(from),
            to: contact_id(to),
            kind,
        }
    }

    #[test]
    fn decision_makers_and_blockers() {
        let mut deal = deal();
        assert!(!deal.decision_maker_identified());
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        assert!(deal.decision_maker_identified());

        let mut opposed_cfo = contact("cfo", ContactRole::Financial);
        opposed_cfo.stance = Stance::Opponent;
        opposed_cfo.influence = Influence::High;
        let mut declared = contact("it-head", ContactRole::Blocker);
        declared.influence = Influence::Low;
        deal.add_contact(declared).unwrap();
        deal.add_contact(opposed_cfo).unwrap();
        deal.add_contact(contact("user", ContactRole::User))
            .unwrap();
        let blockers: Vec<&str> = deal.blockers().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(blockers, ["cfo", "it-head"], "most influential first");
        assert_eq!(
            deal.add_contact(contact("wang", ContactRole::User)),
            Err(DealError::DuplicateId { id: "wang".into() })
        );
    }

    #[test]
    fn unmet_contacts_count_follow_ups_too() {
        let mut deal = deal();
        let now = day(60);
        let mut cio = contact("cio", ContactRole::DecisionMaker);
        cio.influence = Influence::High;
        cio.last_contacted = Some(day(10)); // 50 days ago
        let mut pm = contact("pm", ContactRole::Influencer);
        pm.influence = Influence::Medium; // never contacted
        let mut clerk = contact("clerk", ContactRole::User);
        clerk.influence = Influence::Low;
        let mut cto = contact("cto", ContactRole::Technical);
        cto.influence = Influence::High; // met in a follow-up 5 days ago
        for person in [cio, pm, clerk, cto] {
            deal.add_contact(person).unwrap();
        }
        deal.follow_ups.insert(
            record("f1"),
            FollowUp {
                id: record("f1"),
                kind: FollowUpKind::Visit,
                at: day(55),
                by: user("rep-li"),
                participants: vec![contact_id("cto")],
                summary: String::new(),
                customer_feedback: String::new(),
                next_step: None,
            },
        );
        let ids = |contacts: Vec<&Contact>| -> Vec<String> {
            contacts.iter().map(|c| c.id.to_string()).collect()
        };
        assert_eq!(
            ids(deal.contacts_not_met(Influence::Medium, 30, now)),
            ["pm", "cio"]
        );
        assert_eq!(
            ids(deal.contacts_not_met(Influence::High, 30, now)),
            ["cio"]
        );
        assert_eq!(
            ids(deal.contacts_not_met(Influence::High, 50, now)),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(deal.contacts_not_met(Influence::High, 49, now)),
            ["cio"]
        );
        assert_eq!(deal.last_contact_with(&contact_id("cto")), Some(day(55)));
        assert_eq!(deal.last_contact_with(&contact_id("nobody")), None);
    }

    #[test]
    fn edges_need_two_distinct_known_contacts() {
        let mut deal = deal();
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        deal.add_contact(contact("li", ContactRole::Champion))
            .unwrap();
        deal.add_relationship(edge("r1", "li", "wang", RelationshipKind::ReportsTo))
            .unwrap();
        deal.add_relationship(edge("r2", "li", "wang", RelationshipKind::Influences))
            .unwrap();
        assert_eq!(
            deal.add_relationship(edge("r3", "li", "li", RelationshipKind::Influences)),
            Err(DealError::SelfRelationship {
                contact: contact_id("li")
            })
        );
        assert_eq!(
            deal.add_relationship(edge("r3", "zhou", "wang", RelationshipKind::Influences)),
            Err(DealError::UnknownContacts {
                contacts: vec![contact_id("zhou")]
            })
        );
        assert_eq!(
            deal.add_relationship(edge("r1", "wang", "li", RelationshipKind::Influences)),
            Err(DealError::DuplicateId { id: "r1".into() })
        );
        let names = |contacts: Vec<&Contact>| -> Vec<String> {
            contacts.iter().map(|c| c.id.to_string()).collect()
        };
        assert_eq!(names(deal.reports_to(&contact_id("li"))), ["wang"]);
        assert_eq!(names(deal.influencers_of(&contact_id("wang"))), ["li"]);
        assert!(deal.power_map_problems().is_empty());

        // Removing a contact removes the edges that name them.
        deal.remove_contact(&contact_id("wang")).unwrap();
        assert!(deal.relationships.is_empty());
    }

    #[test]
    fn broken_edges_from_merges_are_reported_not_panicked_on() {
        let mut deal = deal();
        deal.add_contact(contact("li", ContactRole::Champion))
            .unwrap();
        for relationship in [
            edge("r1", "li", "ghost", RelationshipKind::ReportsTo),
            edge("r2", "li", "li", RelationshipKind::Influences),
            edge("r3", "ghost", "phantom", RelationshipKind::Influences),
        ] {
            deal.relationships
                .insert(relationship.id.clone(), relationship);
        }
        let problems = deal.power_map_problems();
        assert_eq!(
            problems,
            [
                PowerMapProblem::MissingContact {
                    relationship: record("r1"),
                    contact: contact_id("ghost")
                },
                PowerMapProblem::SelfRelationship {
                    relationship: record("r2"),
                    contact: contact_id("li")
                },
                PowerMapProblem::MissingContact {
                    relationship: record("r3"),
                    contact: contact_id("ghost")
                },
                PowerMapProblem::MissingContact {
                    relationship: record("r3"),
                    contact: contact_id("phantom")
                },
            ]
        );
        assert!(deal.reports_to(&contact_id("li")).is_empty());
        assert_eq!(problems[0].code(), "missing_contact");
        assert!(problems[0].localized(Locale::ZhCn).contains("ghost"));
        let json = serde_json::to_value(&problems[1]).unwrap();
        assert_eq!(json["kind"], "self_relationship");
    }
}
