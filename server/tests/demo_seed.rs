//! The `dealflow-server` binary started with `--demo-seed` on an empty data directory: the demo
//! data is seeded once, each demo user lists exactly the deals visibility allows, a deal syncs
//! over a real WebSocket and reads as a deal, and a restart seeds nothing again.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use dealflow_core::automerge::Automerge;
use dealflow_core::sync::{DocumentId, DocumentStatus, WireMessage};
use dealflow_core::{DealDoc, DealStatus};
use serde_json::Value;

use support::binary::{self, Launch};
use support::dev_login;
use support::sync_peer::SyncPeer;

const WAIT: Duration = Duration::from_secs(20);
const DEALS: usize = 24;

struct Server {
    child: Child,
    base: String,
    logs: binary::Logs,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        let deals = DEALS.to_string();
        let (child, base, logs) = binary::launch(
            data_dir,
            Launch {
                env: &[("DEALFLOW_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
                args: &["--dev-login", "--demo-seed=11", "--demo-deals", &deals],
                capture_logs: true,
                ..Launch::default()
            },
        );
        Server { child, base, logs }
    }

    /// SIGTERM, wait for a clean exit, and return what it logged.
    async fn stop(mut self) -> String {
        binary::stop_and_read_logs(&mut self.child, self.logs, Duration::from_secs(20)).await
    }

    async fn token(&self, user: &str) -> String {
        dev_login(&self.base, user).await["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The deals `user` lists: `(id, title, owner, team)`.
    async fn deals(&self, user: &str) -> Vec<(String, String, String, String)> {
        let response = reqwest::Client::new()
            .get(format!("{}/api/documents?kind=deal", self.base))
            .bearer_auth(self.token(user).await)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|document| {
                assert_eq!(document["kind"], "deal");
                assert_eq!(
                    document["url"],
                    format!("automerge:{}", document["id"].as_str().unwrap())
                );
                let text = |key: &str| document[key].as_str().unwrap_or_default().to_owned();
                (text("id"), text("title"), text("owner"), text("team"))
            })
            .collect()
    }
}

fn messages(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|event| event["message"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn seeds_an_empty_directory_once_and_shows_each_user_what_visibility_allows() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(data_dir.path());

    // The admin sees every deal; every deal has a title.
    let all = server.deals("chen-jing").await;
    assert_eq!(all.len(), DEALS);
    assert!(all.iter().all(|(_, title, _, _)| !title.is_empty()));
    let east_reps = ["zhang-wei", "liu-yang"];
    let south_reps = ["zhao-min", "huang-lei"];
    for (_, _, owner, team) in &all {
        let expected_team = if east_reps.contains(&owner.as_str()) {
            "east"
        } else {
            assert!(south_reps.contains(&owner.as_str()), "owner {owner}");
            "south"
        };
        assert_eq!(team, expected_team);
    }
    let south: BTreeSet<&str> = all
        .iter()
        .filter(|(_, _, _, team)| team == "south")
        .map(|(id, _, _, _)| id.as_str())
        .collect();
    assert!(!south.is_empty(), "both teams have deals");

    // A rep of 华东区 sees their own deals and none of 华南区's.
    let rep = server.deals("zhang-wei").await;
    assert!(!rep.is_empty());
    assert!(rep.iter().all(|(_, _, owner, _)| owner == "zhang-wei"));
    assert!(rep.iter().all(|(id, _, _, _)| !south.contains(id.as_str())));
    // The 华南区 manager sees exactly 华南区's deals; the reps' lists add up to the admin's.
    let manager: BTreeSet<String> = server
        .deals("li-qiang")
        .await
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(
        manager,
        south
            .iter()
            .map(|id| (*id).to_owned())
            .collect::<BTreeSet<_>>()
    );
    let mut by_reps = BTreeSet::new();
    for user in east_reps.iter().chain(&south_reps) {
        by_reps.extend(server.deals(user).await.into_iter().map(|(id, ..)| id));
    }
    assert_eq!(by_reps.len(), DEALS);

    // Typing a 华南区 deal's id gets the rep nothing, over HTTP and over the socket.
    let south_deal: DocumentId = south.iter().next().unwrap().parse().unwrap();
    let response = reqwest::Client::new()
        .get(format!("{}/api/documents/{south_deal}", server.base))
        .bearer_auth(server.token("zhang-wei").await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // The rep syncs one of their deals over a WebSocket and reads it as a deal.
    let (id, title, _, _) = rep.first().unwrap().clone();
    let id: DocumentId = id.parse().unwrap();
    let mut browser = SyncPeer::connect(&server.base, "zhang-wei", "zhang-wei-laptop").await;
    browser.find(id).await;
    browser.find(south_deal).await;
    browser
        .pump_until(WAIT, |client| {
            client.status(id) == Some(DocumentStatus::Ready)
                && client.status(south_deal) == Some(DocumentStatus::Unavailable)
        })
        .await
        .unwrap();
    let bytes = browser.client.doc(id).unwrap().save();
    let deal = DealDoc::from_automerge(Automerge::load(&bytes).unwrap())
        .unwrap()
        .read()
        .unwrap()
        .deal;
    assert_eq!(deal.title, title);
    assert_eq!(deal.owner.as_str(), "zhang-wei");
    assert!(!deal.history.is_empty(), "the stage history came along");
    assert!(matches!(
        deal.status(),
        DealStatus::Open | DealStatus::Won | DealStatus::Lost | DealStatus::Stopped
    ));
    assert!(
        browser
            .client
            .doc(south_deal)
            .is_none_or(|doc| doc.get_heads().is_empty())
    );
    assert!(
        !browser
            .received
            .iter()
            .flatten()
            .any(|message| matches!(message, WireMessage::Sync { document_id, .. } if *document_id == south_deal)),
        "no byte of the other team's deal reached the rep"
    );
    browser.disconnect().await;
    let first_log = server.stop().await;
    assert!(
        messages(&first_log)
            .iter()
            .any(|message| message == "seeded the demo data"),
        "{first_log}"
    );

    // Restarted on the same directory: nothing is seeded again or duplicated.
    let server = Server::start(data_dir.path());
    let again = server.deals("chen-jing").await;
    let ids = |deals: &[(String, String, String, String)]| -> BTreeSet<String> {
        deals.iter().map(|(id, ..)| id.clone()).collect()
    };
    assert_eq!(again.len(), DEALS);
    assert_eq!(ids(&again), ids(&all));
    let second_log = server.stop().await;
    let second = messages(&second_log);
    assert!(
        second
            .iter()
            .any(|message| message == "the demo data is already seeded"),
        "{second_log}"
    );
    assert!(
        !second
            .iter()
            .any(|message| message == "seeded the demo data")
    );
}

/// `GET /api/targets` as `user`, by `kind`: `(period, minor units)` of each target.
async fn targets(server: &Server, user: &str, kind: &str) -> Vec<(String, i64)> {
    let response = reqwest::Client::new()
        .get(format!("{}/api/targets?periodKind={kind}", server.base))
        .bearer_auth(server.token(user).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|target| {
            assert_eq!(target["group"]["kind"], "total");
            assert_eq!(target["amount"]["currency"], "CNY");
            (
                target["period"].as_str().unwrap().to_owned(),
                target["amount"]["minor"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_user_gets_the_targets_of_what_they_see_by_month_and_quarter() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(data_dir.path());
    let sum = |targets: &[(String, i64)], period: &str| -> i64 {
        targets
            .iter()
            .filter(|(each, _)| each == period)
            .map(|(_, minor)| minor)
            .sum()
    };
    let department = targets(&server, "chen-jing", "month").await;
    let east = targets(&server, "wang-fang", "month").await;
    let south = targets(&server, "li-qiang", "month").await;
    let east_reps = [
        targets(&server, "zhang-wei", "month").await,
        targets(&server, "liu-yang", "month").await,
    ];
    assert!(department.len() >= 15, "a year and the next quarter");
    for (period, minor) in &department {
        assert!(*minor > 0);
        // The department's quota is its teams', a team's its reps'.
        assert_eq!(*minor, sum(&east, period) + sum(&south, period), "{period}");
        assert_eq!(
            sum(&east, period),
            east_reps.iter().map(|rep| sum(rep, period)).sum::<i64>()
        );
    }
    // A quarter's quota is the sum of its months'.
    let quarters = targets(&server, "chen-jing", "quarter").await;
    assert_eq!(quarters.len() * 3, department.len());
    for (quarter, minor) in &quarters {
        let (year, number) = quarter.split_once("-Q").unwrap();
        let number: u32 = number.parse().unwrap();
        let months: i64 = (1..=3)
            .map(|offset| {
                sum(
                    &department,
                    &format!("{year}-{:02}", (number - 1) * 3 + offset),
                )
            })
            .sum();
        assert_eq!(*minor, months, "{quarter}");
    }
    // A year's quota is the sum of its twelve months'; a year only partly planned has none.
    let years = targets(&server, "chen-jing", "year").await;
    assert!(!years.is_empty(), "the demo plans at least one whole year");
    for (year, minor) in &years {
        assert_eq!(year.len(), 4, "{year}");
        let in_year: Vec<_> = department
            .iter()
            .filter(|(period, _)| period.starts_with(&format!("{year}-")))
            .collect();
        assert_eq!(in_year.len(), 12, "{year}");
        assert_eq!(*minor, in_year.iter().map(|(_, minor)| minor).sum::<i64>());
    }
    server.stop().await;
}

async fn get_json(server: &Server, user: &str, path: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(server.token(user).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path} as {user}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_pools_hold_demo_leads_and_late_deals_carry_quotes() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(data_dir.path());

    // Each team's manager sees leads in the team's pool; claimed ones are the reps'.
    for (manager, team, reps) in [
        ("wang-fang", "east", ["zhang-wei", "liu-yang"]),
        ("li-qiang", "south", ["zhao-min", "huang-lei"]),
    ] {
        let pools = get_json(&server, manager, "/api/pools").await;
        let pool = format!("pool-{team}");
        assert!(
            pools["pools"]
                .as_array()
                .unwrap()
                .iter()
                .any(|each| each["id"] == pool.as_str()),
            "{pools}"
        );
        let pooled = get_json(&server, manager, &format!("/api/pools/{pool}/leads")).await;
        let pooled = pooled["leads"].as_array().unwrap();
        assert!(pooled.len() >= 5, "{team}: {} leads pooled", pooled.len());
        for lead in pooled {
            assert!(
                lead["id"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("demo-lead-{team}-"))
            );
            assert!(!lead["company"].as_str().unwrap().is_empty());
        }
        // Leads not in the pool were claimed by the team's reps and read as theirs.
        let pooled_ids: BTreeSet<&str> = pooled
            .iter()
            .map(|lead| lead["id"].as_str().unwrap())
            .collect();
        let mut claimed = 0;
        for number in 1..=40 {
            let id = format!("demo-lead-{team}-{number:02}");
            if pooled_ids.contains(id.as_str()) {
                continue;
            }
            for rep in reps {
                let response = reqwest::Client::new()
                    .get(format!("{}/api/leads/{id}", server.base))
                    .bearer_auth(server.token(rep).await)
                    .send()
                    .await
                    .unwrap();
                if response.status() == 200 {
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body["lead"]["custody"]["owner"], rep, "{body}");
                    claimed += 1;
                }
            }
        }
        assert!(claimed >= 1, "{team}: some leads were claimed");
    }

    // Quotes on deals: started by the deal's owner, approved or waiting for approval.
    let mut statuses = Vec::new();
    for (id, _, owner, _) in server.deals("chen-jing").await {
        let quotes = get_json(&server, "chen-jing", &format!("/api/documents/{id}/quotes")).await;
        for quote in quotes["quotes"].as_array().unwrap() {
            assert_eq!(quote["quote"]["owner"], owner.as_str(), "{quote}");
            assert!(!quote["quote"]["lines"].as_array().unwrap().is_empty());
            // Core's figures come with the quote: one per line, the total what the lines add
            // up to, and the discount from the catalogue that approval looked at.
            let totals = &quote["totals"];
            let lines = totals["lines"].as_array().unwrap();
            assert_eq!(
                lines.len(),
                quote["quote"]["lines"].as_array().unwrap().len()
            );
            let summed: i64 = lines
                .iter()
                .map(|line| line["total"]["minor"].as_i64().unwrap())
                .sum();
            assert_eq!(
                totals["total"]["minor"].as_i64().unwrap(),
                summed,
                "{quote}"
            );
            assert!(summed > 0);
            assert!(quote["discountBp"].as_i64().unwrap() >= 0, "{quote}");
            statuses.push(quote["quote"]["status"].as_str().unwrap().to_owned());
        }
    }
    assert!(!statuses.is_empty(), "some deals carry quotes");
    assert!(
        statuses
            .iter()
            .all(|status| status == "approved" || status == "pending_approval"),
        "{statuses:?}"
    );
    server.stop().await;
}
