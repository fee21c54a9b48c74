//! The SQLite `Arbitration` store on its own: compare-and-set on the version, histories written
//! in the same transaction as the change, holdings counted inside it, and durability.

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    Actor, ChannelId, Currency, Custody, DealId, ErrorCode, Lead, LeadDraft, LocalizedText, Member,
    NewQuote, Organisation, PoolCommand, PoolConfig, PoolContext, PoolDirectory, PoolId, Quote,
    QuoteAction, QuoteCommand, QuoteId, Role, TaxBasis, Team, TeamId, Timestamp, UserId, decide,
};
use dealflow_server::storage::{Arbitration, SqliteOptions, SqliteStorage, Storage, StoredQuote};

fn id<T: TryFrom<&'static str>>(text: &'static str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(text).unwrap()
}

fn org() -> Organisation {
    let member = |user: &'static str, role| Member {
        id: id(user),
        name: user.into(),
        role,
        team: Some(id("east")),
        active: true,
    };
    Organisation::new(
        "示例科技",
        vec![Team {
            id: id::<TeamId>("east"),
            name: "华东".into(),
            parent: None,
        }],
        vec![
            member("wang", Role::Manager),
            member("li", Role::Rep),
            member("zhou", Role::Rep),
        ],
    )
    .unwrap()
}

fn pools(claim_limit: u32) -> PoolDirectory {
    PoolDirectory::new(vec![PoolConfig {
        id: id("pool-east"),
        name: LocalizedText::new("华东公海", "East pool"),
        scope: Default::default(),
        team: Some(id("east")),
        claim_limit,
        recycle_unfollowed_after_days: None,
        recycle_idle_after_days: None,
    }])
    .unwrap()
}

/// A lead put into the pool by the manager: the transition to insert.
fn pooled(
    lead: &'static str,
    org: &Organisation,
    pools: &PoolDirectory,
) -> dealflow_core::Transition {
    let lead = Lead::new(
        id(lead),
        LeadDraft {
            company: "测试公司".into(),
            ..LeadDraft::default()
        },
        id::<ChannelId>("web_form"),
        Timestamp::from_millis(0),
    );
    let put = PoolCommand::Put {
        lead: lead.id.clone(),
        pool: id::<PoolId>("pool-east"),
        by: Actor::User(id("wang")),
        expected_version: 0,
    };
    let context = PoolContext {
        org,
        pools,
        claimant_holdings: 0,
    };
    decide(&lead, &put, &context, Timestamp::from_millis(1)).unwrap()
}

fn claim(lead: &'static str, by: &'static str, version: u64) -> PoolCommand {
    PoolCommand::Claim {
        lead: id(lead),
        by: id(by),
        expected_version: version,
    }
}

#[tokio::test]
async fn leads_change_only_through_compare_and_set_and_keep_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let storage = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    let (org, pools) = (org(), pools(1));
    for lead in ["l-1", "l-2"] {
        assert!(
            storage
                .insert_lead(pooled(lead, &org, &pools))
                .await
                .unwrap()
        );
    }
    assert!(
        !storage
            .insert_lead(pooled("l-1", &org, &pools))
            .await
            .unwrap(),
        "an id is never inserted twice"
    );
    let in_pool = storage.leads_in_pool(id("pool-east")).await.unwrap();
    assert_eq!(in_pool.len(), 2);
    let stale_copy = in_pool[0].clone();

    // Li claims l-1 (holding nothing yet).
    let (org_for_decision, pools_for_decision) = (org.clone(), pools.clone());
    let decided = storage
        .decide_lead(
            id("l-1"),
            Some(id("li")),
            Box::new(move |lead, held| {
                assert_eq!(held, 0);
                let context = PoolContext {
                    org: &org_for_decision,
                    pools: &pools_for_decision,
                    claimant_holdings: held,
                };
                Ok(decide(
                    lead,
                    &claim("l-1", "li", 1),
                    &context,
                    Timestamp::from_millis(2),
                )?)
            }),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(decided.lead.custody.owner(), Some(&id::<UserId>("li")));

    // A decision computed from a copy read before that claim (as a second writer would) is
    // refused by the compare-and-set, and nothing is written.
    let (org_for_decision, pools_for_decision) = (org.clone(), pools.clone());
    let refused = storage
        .decide_lead(
            id("l-1"),
            None,
            Box::new(move |_current, _| {
                let context = PoolContext {
                    org: &org_for_decision,
                    pools: &pools_for_decision,
                    claimant_holdings: 0,
                };
                Ok(decide(
                    &stale_copy,
                    &claim("l-1", "zhou", 1),
                    &context,
                    Timestamp::from_millis(3),
                )?)
            }),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::StaleVersion);

    // Li's holdings from the pool are counted inside the transaction: the limit of 1 holds.
    let (org_for_decision, pools_for_decision) = (org.clone(), pools.clone());
    let limited = storage
        .decide_lead(
            id("l-2"),
            Some(id("li")),
            Box::new(move |lead, held| {
                let context = PoolContext {
                    org: &org_for_decision,
                    pools: &pools_for_decision,
                    claimant_holdings: held,
                };
                Ok(decide(
                    lead,
                    &claim("l-2", "li", 1),
                    &context,
                    Timestamp::from_millis(4),
                )?)
            }),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(limited.code(), ErrorCode::ClaimLimitReached);
    let missing = storage
        .decide_lead(id("l-9"), None, Box::new(|_, _| unreachable!()))
        .await
        .unwrap();
    assert!(missing.is_none());

    // Everything committed survives a restart, with the history of every move.
    storage.close().await.unwrap();
    let storage = SqliteStorage::open(SqliteOptions::new(&path))
        .await
        .unwrap();
    let lead = storage.lead(id("l-1")).await.unwrap().unwrap();
    assert_eq!(lead.version, 2);
    assert!(matches!(lead.custody, Custody::Owned { .. }));
    let history = storage.lead_history(id("l-1")).await.unwrap();
    let versions: Vec<u64> = history.iter().map(|record| record.version).collect();
    assert_eq!(versions, [1, 2]);
    let in_pool = storage.leads_in_pool(id("pool-east")).await.unwrap();
    assert_eq!(in_pool.len(), 1);
    storage.close().await.unwrap();
}

#[tokio::test]
async fn quotes_change_only_through_compare_and_set() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(SqliteOptions::new(dir.path().join("db.sqlite3")))
        .await
        .unwrap();
    let document = DocumentId::from_random_bytes([3; 16]);
    let quote = Quote::new(
        NewQuote {
            id: id("q-1"),
            deal: id::<DealId>("deal-1"),
            owner: id("li"),
            currency: Currency::CNY,
            valid_until: time::macros::date!(2099 - 12 - 31),
            tax_basis: TaxBasis::Exclusive,
        },
        Timestamp::from_millis(0),
    );
    let stored = StoredQuote {
        document,
        quote: quote.clone(),
    };
    assert!(storage.insert_quote(stored.clone()).await.unwrap());
    assert!(!storage.insert_quote(stored).await.unwrap());

    let withdraw = QuoteCommand {
        expected_version: quote.version,
        action: QuoteAction::Withdraw,
    };
    // A draft cannot be withdrawn: core refuses and nothing is written.
    let refused = storage
        .decide_quote(
            id::<QuoteId>("q-1"),
            Box::new(move |current| {
                let context = dealflow_core::QuoteContext {
                    actor: dealflow_core::Approver {
                        user: id("li"),
                        level: 0,
                    },
                    now: Timestamp::from_millis(1),
                    offset: time::UtcOffset::UTC,
                };
                Ok(current
                    .quote
                    .decide(&withdraw, &Default::default(), &context)?)
            }),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidQuoteTransition);

    // Two edits made against the same version: the first lands, the second is stale.
    for expected in [Ok(quote.version + 1), Err(ErrorCode::StaleQuote)] {
        let edit = QuoteCommand {
            expected_version: quote.version,
            action: QuoteAction::Edit {
                edit: dealflow_core::QuoteEdit::SetDiscount {
                    discount: dealflow_core::Discount::from_basis_points(500).unwrap(),
                },
            },
        };
        let decided = storage
            .decide_quote(
                id::<QuoteId>("q-1"),
                Box::new(move |current| {
                    let context = dealflow_core::QuoteContext {
                        actor: dealflow_core::Approver {
                            user: id("li"),
                            level: 0,
                        },
                        now: Timestamp::from_millis(2),
                        offset: time::UtcOffset::UTC,
                    };
                    Ok(current.quote.decide(&edit, &Default::default(), &context)?)
                }),
            )
            .await
            .unwrap()
            .unwrap();
        let outcome = decided
            .map(|stored| stored.quote.version)
            .map_err(|error| error.code());
        assert_eq!(outcome, expected);
    }
    let quotes = storage.quotes_on(document).await.unwrap();
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0].quote.version, quote.version + 1);
    assert_eq!(quotes[0].quote.events.len(), 2);
    storage.close().await.unwrap();
}
