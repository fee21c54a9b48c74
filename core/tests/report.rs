//! Report contracts through the public API: one small sales organisation, every report, and the
//! serialized shape the browser receives.

mod fixture;

use std::collections::BTreeMap;

use dealflow_core::analytics::{DateRange, DealSet, Filter, ReportContext};
use dealflow_core::report::{
    CollectionInput, Instalment, Receipt, SalesTarget, TargetScope, collections, deal_lists,
    loss_stop, pipeline_follow_up, rep_ranking, signing_bulletin, target_completion, team_activity,
};
use dealflow_core::{Currency, Deal, DealStatus, ExchangeRates, Pipeline, TeamId, UserId};
use expect_test::expect;
use time::macros::date;

fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

fn rep(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

/// Two teams under "sales"; reps li and wang in east, zhao in west. January 2026.
fn organisation() -> (Vec<Deal>, BTreeMap<TeamId, TeamId>) {
    let mut teams = BTreeMap::new();
    teams.insert(team("east"), team("sales"));
    teams.insert(team("west"), team("sales"));
    let mut deals = Vec::new();
    let mut add =
        |id: &str, owner: &str, team_id: &str, major: i64, outcome: Option<(i64, DealStatus)>| {
            let mut deal = fixture::deal(id, 2, major);
            deal.owner = rep(owner);
            deal.team = Some(team(team_id));
            deal.expected_close = Some(date!(2026 - 01 - 25));
            fixture::record(&mut deal, fixture::day(5), "needs", DealStatus::Open, None);
            if let Some((day, status)) = outcome {
                let reason = match status {
                    DealStatus::Lost => Some("price"),
                    DealStatus::Stopped => Some("customer_postponed"),
                    DealStatus::Open | DealStatus::Won => None,
                };
                fixture::record(&mut deal, fixture::day(day), "needs", status, reason);
            }
            deals.push(deal);
        };
    add("e1", "li", "east", 300_000, Some((10, DealStatus::Won)));
    add("e2", "li", "east", 100_000, Some((12, DealStatus::Lost)));
    add("e3", "wang", "east", 200_000, Some((15, DealStatus::Won)));
    add("e4", "wang", "east", 80_000, None);
    add("w1", "zhao", "west", 250_000, Some((20, DealStatus::Won)));
    add(
        "w2",
        "zhao",
        "west",
        60_000,
        Some((22, DealStatus::Stopped)),
    );
    (deals, teams)
}

#[test]
fn a_month_of_reports() {
    let (deals, teams) = organisation();
    let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY)).unwrap();
    let ctx =
        dealflow_core::analytics::ReportContext::new(&teams, fixture::OFFSET, fixture::day(31));
    let january = Filter::all()
        .in_period(DateRange::new(date!(2026 - 01 - 01), date!(2026 - 01 - 31)).unwrap());
    let pipelines = [Pipeline::template_new_business()];

    let bulletin = signing_bulletin(&set, &january, &ctx).unwrap();
    assert_eq!(
        (bulletin.total.count, bulletin.total.amount),
        (3, fixture::yuan(750_000))
    );
    let teams_ranked: Vec<_> = bulletin
        .teams
        .iter()
        .map(|row| (row.rank, row.key.clone()))
        .collect();
    assert_eq!(
        teams_ranked,
        [(1, Some("east".to_owned())), (2, Some("west".to_owned()))]
    );

    let ranking = rep_ranking(&set, &january, &ctx).unwrap();
    let reps: Vec<_> = ranking
        .reps
        .iter()
        .map(|row| (row.rep.to_string(), row.company_rank, row.team_rank))
        .collect();
    assert_eq!(
        reps,
        [
            ("li".to_owned(), 1, 1),
            ("zhao".to_owned(), 2, 1),
            ("wang".to_owned(), 3, 2)
        ]
    );

    let activity = team_activity(&set, &[], &january, &ctx).unwrap();
    assert_eq!(activity.teams[0].team, Some(team("sales")));
    assert_eq!(activity.teams[0].signed.amount, fixture::yuan(750_000));

    let follow_up = pipeline_follow_up(&set, &pipelines[0], &Filter::all(), &ctx, 7).unwrap();
    assert_eq!(follow_up.total.count, 1);
    assert!(follow_up.deals[0].stale);

    let lists = deal_lists(&set, &pipelines, &january.clone().for_rep(rep("li")), &ctx).unwrap();
    assert_eq!((lists.closed.len(), lists.not_closed.len()), (2, 0));

    let losses = loss_stop(&set, &pipelines, &january, &ctx).unwrap();
    assert_eq!(losses.lost.reasons[0].label.en, "Price too high");
    assert_eq!(
        losses.stopped.reasons[0].label.en,
        "Customer postponed the project"
    );

    let contract = CollectionInput {
        contract: "HT-e1".to_owned(),
        deal: Some(dealflow_core::DealId::new("e1").unwrap()),
        customer: "华东电网".to_owned(),
        rep: rep("li"),
        team: Some(team("east")),
        plan: vec![Instalment {
            due: date!(2026 - 01 - 20),
            amount: fixture::yuan(150_000),
        }],
        receipts: vec![Receipt {
            on: date!(2026 - 01 - 25),
            amount: fixture::yuan(100_000),
        }],
    };
    let money = collections(
        &[contract],
        &set,
        &january.clone().for_team(team("sales")),
        &ctx,
    )
    .unwrap();
    assert_eq!(money.total.overdue, fixture::yuan(50_000));
    assert_eq!(money.by_rep[0].key, "li");
}

#[test]
fn target_completion_serializes_for_the_browser() {
    let (deals, teams) = organisation();
    let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY)).unwrap();
    let ctx = ReportContext::new(&teams, fixture::OFFSET, fixture::day(31));
    let january = Filter::all()
        .in_period(DateRange::new(date!(2026 - 01 - 01), date!(2026 - 01 - 31)).unwrap());
    let targets = [
        SalesTarget {
            scope: TargetScope::Team { team: team("east") },
            amount: fixture::yuan(600_000),
        },
        SalesTarget {
            scope: TargetScope::Rep { rep: rep("zhao") },
            amount: fixture::yuan(200_000),
        },
    ];
    let report = target_completion(&set, &targets, &january, &ctx).unwrap();
    let mut json = serde_json::to_value(&report).unwrap();
    // The column headers are checked by the unit tests; the rows are the contract here.
    json["columns"] = serde_json::Value::Null;
    expect![[r#"
        {
          "chart": "gauge",
          "columns": null,
          "currency": "CNY",
          "period": {
            "end": "2026-01-31",
            "start": "2026-01-01"
          },
          "rows": [
            {
              "completion": 8333,
              "coverage": 8000,
              "gap": {
                "currency": "CNY",
                "minor": 10000000
              },
              "label": {
                "en": "east",
                "zh-CN": "east"
              },
              "open_pipeline": {
                "amount": {
                  "currency": "CNY",
                  "minor": 8000000
                },
                "count": 1
              },
              "scope": {
                "kind": "team",
                "team": "east"
              },
              "signed": {
                "amount": {
                  "currency": "CNY",
                  "minor": 50000000
                },
                "count": 2
              },
              "target": {
                "currency": "CNY",
                "minor": 60000000
              }
            },
            {
              "completion": 12500,
              "coverage": null,
              "gap": {
                "currency": "CNY",
                "minor": 0
              },
              "label": {
                "en": "zhao",
                "zh-CN": "zhao"
              },
              "open_pipeline": {
                "amount": {
                  "currency": "CNY",
                  "minor": 0
                },
                "count": 0
              },
              "scope": {
                "kind": "rep",
                "rep": "zhao"
              },
              "signed": {
                "amount": {
                  "currency": "CNY",
                  "minor": 25000000
                },
                "count": 1
              },
              "target": {
                "currency": "CNY",
                "minor": 20000000
              }
            }
          ],
          "title": {
            "en": "Target completion",
            "zh-CN": "目标完成情况"
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&json).unwrap());
}
