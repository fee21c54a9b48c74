//! Lead-pool claims and quote approvals over real HTTP against the real server: exclusive
//! actions decided by the relay in a storage transaction and written into the documents.

mod support;

use std::time::Duration;

use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{ROOT, ReadDoc};
use dealflow_core::sync::{DocumentId, DocumentStatus, RejectionNotice, WireMessage};
use dealflow_core::{QuoteStatus, deal_quotes, read_lead_pool};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::sync_peer::{SyncPeer, document_id, token};
use support::{TestServer, api, expect_error, ok_json, post};

const WAIT: Duration = Duration::from_secs(10);

/// Creates `n` leads in `pool` as `manager`; returns their ids and versions.
async fn create_leads(
    server: &TestServer,
    manager: &str,
    pool: &str,
    n: usize,
) -> Vec<(String, u64)> {
    let leads: Vec<Value> = (0..n)
        .map(|index| json!({ "company": format!("测试公司 {index}"), "contactName": "王经理" }))
        .collect();
    let body = ok_json(
        post(
            server,
            &format!("/api/pools/{pool}/leads"),
            manager,
            json!({ "leads": leads }),
        )
        .await,
    )
    .await;
    let created: Vec<(String, u64)> = body["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|lead| {
            (
                lead["id"].as_str().unwrap().to_owned(),
                lead["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(created.len(), n);
    created
}

/// The document of `pool`, as `GET /api/pools` names it for `user`.
async fn pool_document(server: &TestServer, user: &str, pool: &str) -> DocumentId {
    let body = ok_json(api(server, reqwest::Method::GET, "/api/pools", user, None).await).await;
    let document = body["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == pool)
        .unwrap_or_else(|| panic!("{user} sees {pool} in {body}"))["document"]
        .as_str()
        .unwrap()
        .to_owned();
    document.parse().unwrap()
}

/// Opens `document` and waits until `done` holds for it.
async fn sync_until(
    peer: &mut SyncPeer,
    document: DocumentId,
    done: impl Fn(&dealflow_core::sync::SyncClient) -> bool,
) {
    peer.pump_until(WAIT, |client| {
        client.status(document) == Some(DocumentStatus::Ready) && done(client)
    })
    .await
    .unwrap();
}

fn pooled_ids(client: &dealflow_core::sync::SyncClient, document: DocumentId) -> Vec<String> {
    client
        .doc(document)
        .and_then(|doc| read_lead_pool(doc).ok())
        .map(|read| {
            read.leads
                .into_iter()
                .map(|lead| lead.id.to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn two_reps_claiming_one_lead_at_once_get_one_winner_and_the_pool_document_follows() {
    let server = TestServer::start(&[]).await;
    const ROUNDS: usize = 12;
    let leads = create_leads(&server, "wang-fang", "pool-east", ROUNDS).await;

    let pool = pool_document(&server, "zhang-wei", "pool-east").await;
    let mut reader = SyncPeer::connect(&server.base, "liu-yang", "pool-reader").await;
    reader.find(pool).await;
    sync_until(&mut reader, pool, |client| {
        pooled_ids(client, pool).len() == ROUNDS
    })
    .await;

    let client = reqwest::Client::new();
    let mut wins = [0usize; 2];
    for (lead, version) in &leads {
        let path = server.url(&format!("/api/leads/{lead}/commands"));
        let claims = ["zhang-wei", "liu-yang"].map(|rep| {
            let request = client
                .post(&path)
                .bearer_auth(token(rep))
                .json(&json!({ "command": "claim", "expectedVersion": version }));
            tokio::spawn(async move { request.send().await.unwrap() })
        });
        let [first, second] = claims;
        let responses = [first.await.unwrap(), second.await.unwrap()];
        let statuses: Vec<StatusCode> =
            responses.iter().map(|response| response.status()).collect();
        let winner = match statuses.as_slice() {
            [StatusCode::OK, StatusCode::CONFLICT] => 0,
            [StatusCode::CONFLICT, StatusCode::OK] => 1,
            other => panic!("exactly one claim wins, got {other:?}"),
        };
        wins[winner] += 1;
        let winner_id = ["zhang-wei", "liu-yang"][winner];
        let [first, second] = responses;
        let (won, lost) = if winner == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let won = ok_json(won).await;
        assert_eq!(won["lead"]["custody"]["owner"], winner_id);
        assert_eq!(won["lead"]["version"], version + 1);
        let lost = expect_error(lost, StatusCode::CONFLICT, "lead_already_claimed").await;
        let message = lost["message"].as_str().unwrap();
        assert!(
            message.contains(winner_id),
            "the loser learns the winner: {message}"
        );
        assert!(lost["messageZh"].as_str().unwrap().contains(winner_id));

        // The lead leaves the pool document, in a change the relay wrote naming the winner.
        sync_until(&mut reader, pool, |client| {
            !pooled_ids(client, pool).contains(lead)
        })
        .await;
        let history = reader.client.doc(pool).unwrap().get_changes(&[]);
        assert!(
            history.last().unwrap().message().is_some_and(|message| {
                message.contains("list the leads in pool pool-east")
                    && message.contains(&format!("Dealflow-User: {winner_id}"))
            }),
            "the pool's latest change names the winner"
        );
        let shown = ok_json(
            api(
                &server,
                reqwest::Method::GET,
                &format!("/api/leads/{lead}"),
                winner_id,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(shown["lead"]["custody"]["owner"], winner_id);
        let kinds: Vec<&str> = shown["moves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["kind"]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["put", "claimed"]);
    }
    assert_eq!(wins.iter().sum::<usize>(), ROUNDS);
    assert!(pooled_ids(&reader.client, pool).is_empty());
    server.stop().await;
}

#[tokio::test]
async fn the_claim_limit_holds_under_concurrent_claims() {
    let server = TestServer::start(&["--pool-claim-limit", "3"]).await;
    let leads = create_leads(&server, "wang-fang", "pool-east", 8).await;
    let client = reqwest::Client::new();
    let claims: Vec<_> = leads
        .iter()
        .map(|(lead, version)| {
            let request = client
                .post(server.url(&format!("/api/leads/{lead}/commands")))
                .bearer_auth(token("zhang-wei"))
                .json(&json!({ "command": "claim", "expectedVersion": version }));
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    let mut won = 0;
    let mut refused = 0;
    for claim in claims {
        let response = claim.await.unwrap();
        if response.status() == StatusCode::OK {
            won += 1;
        } else {
            expect_error(
                response,
                StatusCode::UNPROCESSABLE_ENTITY,
                "claim_limit_reached",
            )
            .await;
            refused += 1;
        }
    }
    assert_eq!((won, refused), (3, 5));

    // Another rep's limit is their own.
    let (lead, version) = &leads[7];
    let response = post(
        &server,
        &format!("/api/leads/{lead}/commands"),
        "liu-yang",
        json!({ "command": "claim", "expectedVersion": version }),
    )
    .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    // Lead 7 may have been one of zhang-wei's three.
    assert!(
        status == StatusCode::OK || body["code"] == "lead_already_claimed",
        "{status} {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn nobody_acts_as_someone_else_and_pool_documents_are_read_only() {
    let server = TestServer::start(&[]).await;
    let leads = create_leads(&server, "wang-fang", "pool-east", 3).await;
    let (lead, version) = &leads[0];
    let path = format!("/api/leads/{lead}/commands");

    // A claim naming another actor, or the system, is refused whole.
    for smuggled in [
        json!({ "command": "claim", "expectedVersion": version, "by": "liu-yang" }),
        json!({ "command": "assign", "to": "zhang-wei", "expectedVersion": version, "by": { "kind": "system" } }),
        json!({ "command": "recycle", "expectedVersion": version }),
    ] {
        let response = post(&server, &path, "zhang-wei", smuggled).await;
        expect_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
    // A rep may not assign, create leads, or see another team's pool.
    let response = post(
        &server,
        &path,
        "zhang-wei",
        json!({ "command": "assign", "to": "zhang-wei", "expectedVersion": version }),
    )
    .await;
    expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = post(
        &server,
        "/api/pools/pool-east/leads",
        "zhang-wei",
        json!({ "leads": [{ "company": "自建线索" }] }),
    )
    .await;
    expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = api(
        &server,
        reqwest::Method::GET,
        "/api/pools/pool-east/leads",
        "zhao-min",
        None,
    )
    .await;
    expect_error(response, StatusCode::UNPROCESSABLE_ENTITY, "unknown_pool").await;
    // A rep of another team cannot claim it and learns nothing: the same answer as no lead.
    let response = post(
        &server,
        &path,
        "zhao-min",
        json!({ "command": "claim", "expectedVersion": version }),
    )
    .await;
    expect_error(response, StatusCode::NOT_FOUND, "lead_unavailable").await;
    let response = post(
        &server,
        "/api/leads/no-such-lead/commands",
        "zhao-min",
        json!({ "command": "claim", "expectedVersion": 1 }),
    )
    .await;
    expect_error(response, StatusCode::NOT_FOUND, "lead_unavailable").await;

    // The claim is the caller's.
    let claimed = ok_json(
        post(
            &server,
            &path,
            "zhang-wei",
            json!({ "command": "claim", "expectedVersion": version }),
        )
        .await,
    )
    .await;
    assert_eq!(claimed["lead"]["custody"]["owner"], "zhang-wei");
    assert_eq!(
        claimed["moves"][0]["actor"],
        json!({ "kind": "user", "user": "zhang-wei" })
    );
    let listed = ok_json(
        api(
            &server,
            reqwest::Method::GET,
            "/api/pools/pool-east/leads",
            "liu-yang",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(listed["leads"].as_array().unwrap().len(), 2);

    // Pool members read the pool's document; their changes are dropped and reported.
    let pool = pool_document(&server, "liu-yang", "pool-east").await;
    let mut member = SyncPeer::connect(&server.base, "liu-yang", "member").await;
    member.find(pool).await;
    sync_until(&mut member, pool, |client| {
        pooled_ids(client, pool).len() == 2
    })
    .await;
    let mut forged = member.client.doc(pool).unwrap().fork();
    let mut tx = forged.transaction();
    tx.delete(ROOT, "leads").unwrap();
    tx.commit();
    let change = forged.get_last_local_change().unwrap().raw_bytes().to_vec();
    let mut message = forged
        .generate_sync_message(&mut dealflow_core::automerge::sync::State::new())
        .unwrap();
    message.changes = dealflow_core::automerge::sync::ChunkList::from(vec![change]);
    use dealflow_core::automerge::sync::SyncDoc;
    let frame = WireMessage::Sync {
        sender_id: dealflow_core::sync::PeerId::new("member").unwrap(),
        target_id: member.client.server().unwrap().clone(),
        document_id: pool,
        data: message.encode(),
    };
    member.send_raw(frame.encode()).await;
    member.pump_for(Duration::from_secs(1)).await;
    let notices: Vec<RejectionNotice> = member
        .received
        .iter()
        .filter_map(|message| match message {
            Some(WireMessage::Ephemeral { data, .. }) => RejectionNotice::decode(data),
            _ => None,
        })
        .collect();
    assert_eq!(notices, [RejectionNotice::new("read_only", 1)]);
    // Even the pool's manager only reads it.
    let mut manager = SyncPeer::connect(&server.base, "wang-fang", "manager").await;
    manager.find(pool).await;
    sync_until(&mut manager, pool, |client| {
        pooled_ids(client, pool).len() == 2
    })
    .await;
    let ((), step) = manager
        .client
        .change(pool, |tx| tx.put(ROOT, "note", "manager edit"))
        .unwrap();
    manager.send(step).await;
    manager.pump_for(Duration::from_millis(500)).await;
    let mut fresh = SyncPeer::connect(&server.base, "chen-jing", "fresh").await;
    fresh.find(pool).await;
    sync_until(&mut fresh, pool, |client| {
        pooled_ids(client, pool).len() == 2
    })
    .await;
    assert!(
        fresh
            .client
            .doc(pool)
            .unwrap()
            .get(ROOT, "note")
            .unwrap()
            .is_none()
    );

    // A client cannot forge a pool: a document it creates with that type is its own, and the
    // team it claims to list leads for never sees it.
    let forged = document_id(77);
    let ((), step) = member
        .client
        .create(forged, |tx| tx.put(ROOT, "type", "lead_pool"))
        .unwrap();
    member.send(step).await;
    member
        .pump_until(WAIT, |client| client.in_sync(forged))
        .await
        .unwrap();
    let mut colleague = SyncPeer::connect(&server.base, "zhang-wei", "colleague").await;
    colleague.find(forged).await;
    colleague
        .pump_until(WAIT, |client| {
            client.status(forged) == Some(DocumentStatus::Unavailable)
        })
        .await
        .unwrap();
    server.stop().await;
}

/// A deal owned by zhang-wei (east) with li-qiang (the south manager) on its deal team, so that
/// both managers may approve its quotes.
async fn deal_with_two_approvers(server: &TestServer, seed: u8) -> (DocumentId, SyncPeer) {
    let id = document_id(seed);
    let mut owner = SyncPeer::connect(&server.base, "zhang-wei", "owner").await;
    owner.create(id, "报价测试").await;
    owner
        .pump_until(WAIT, |client| client.in_sync(id))
        .await
        .unwrap();
    let response = api(
        server,
        reqwest::Method::PUT,
        &format!("/api/documents/{id}/members/li-qiang"),
        "zhang-wei",
        Some(json!({ "access": "write" })),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    (id, owner)
}

fn line(quantity: i64, discount_basis_points: u16) -> Value {
    json!({
        "id": "l1",
        "name": { "zh-CN": "CRM 用户许可", "en": "CRM seat" },
        "unit": { "zh-CN": "用户/年", "en": "user/year" },
        "quantity": quantity,
        "price": { "kind": "custom", "unit_price": { "minor": 100_000, "currency": "CNY" } },
        "discount": discount_basis_points,
        "tax_rate": 1300
    })
}

async fn quote_command(
    server: &TestServer,
    quote: &str,
    user: &str,
    version: u64,
    action: Value,
) -> reqwest::Response {
    post(
        server,
        &format!("/api/quotes/{quote}/commands"),
        user,
        json!({ "expectedVersion": version, "action": action }),
    )
    .await
}

/// Sends a quote command that must succeed; checks the quote's new status and returns its new
/// version.
async fn advance(
    server: &TestServer,
    quote: &str,
    user: &str,
    version: u64,
    action: Value,
    status: &str,
) -> u64 {
    let body = ok_json(quote_command(server, quote, user, version, action).await).await;
    assert_eq!(body["quote"]["status"], status, "{body}");
    body["quote"]["version"].as_u64().unwrap()
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// Sends a quote command that must be refused with `status` and the error `code`.
async fn refused(
    server: &TestServer,
    quote: &str,
    user: &str,
    version: u64,
    action: Value,
    status: StatusCode,
    code: &str,
) {
    expect_error(
        quote_command(server, quote, user, version, action).await,
        status,
        code,
    )
    .await;
}

/// Waits until the deal document shows `quote` at `version` with `status`.
async fn deal_shows(
    peer: &mut SyncPeer,
    deal: DocumentId,
    quote: &str,
    version: u64,
    status: QuoteStatus,
) {
    peer.pump_until(WAIT, |client| {
        client.doc(deal).is_some_and(|doc| {
            deal_quotes(doc).iter().any(|shown| {
                shown.id.as_str() == quote && shown.version == version && shown.status == status
            })
        })
    })
    .await
    .unwrap_or_else(|error| panic!("the deal shows {quote} v{version} {status:?}: {error}"));
}

#[tokio::test]
async fn two_managers_approving_one_quote_at_once_get_one_winner_and_the_deal_shows_each_step() {
    let server = TestServer::start(&[]).await;
    let (deal, mut owner) = deal_with_two_approvers(&server, 40).await;
    let created = ok_json(
        post(
            &server,
            &format!("/api/documents/{deal}/quotes"),
            "zhang-wei",
            json!({ "currency": "CNY", "validUntil": "2099-12-31" }),
        )
        .await,
    )
    .await;
    let quote = created["quote"]["id"].as_str().unwrap().to_owned();
    let mut version = created["quote"]["version"].as_u64().unwrap();
    deal_shows(&mut owner, deal, &quote, version, QuoteStatus::Draft).await;

    let client = reqwest::Client::new();
    let mut wins = [0usize; 2];
    for round in 0..8_i64 {
        // 15 % off needs a manager (level 1). Editing an approved quote sends it back to draft.
        let edited = ok_json(
            quote_command(
                &server,
                &quote,
                "zhang-wei",
                version,
                json!({ "action": "edit", "edit": { "edit": "set_line", "line": line(10 + round, 1_500) } }),
            )
            .await,
        )
        .await;
        assert_eq!(edited["quote"]["status"], "draft");
        if round > 0 {
            assert_eq!(
                edited["quote"]["events"]
                    .as_array()
                    .unwrap()
                    .last()
                    .unwrap()["kind"],
                json!({ "kind": "edited", "from": "approved" }),
                "an approved quote that is edited goes back to draft"
            );
        }
        version = edited["quote"]["version"].as_u64().unwrap();
        deal_shows(&mut owner, deal, &quote, version, QuoteStatus::Draft).await;

        let submitted = ok_json(
            quote_command(
                &server,
                &quote,
                "zhang-wei",
                version,
                json!({ "action": "submit" }),
            )
            .await,
        )
        .await;
        assert_eq!(submitted["quote"]["status"], "pending_approval");
        assert_eq!(submitted["quote"]["required_level"], 1);
        version = submitted["quote"]["version"].as_u64().unwrap();
        deal_shows(
            &mut owner,
            deal,
            &quote,
            version,
            QuoteStatus::PendingApproval,
        )
        .await;

        // The owner may not approve their own quote.
        let response = quote_command(
            &server,
            &quote,
            "zhang-wei",
            version,
            json!({ "action": "approve" }),
        )
        .await;
        expect_error(response, StatusCode::UNPROCESSABLE_ENTITY, "self_approval").await;

        let approvals = ["wang-fang", "li-qiang"].map(|manager| {
            let request = client
                .post(server.url(&format!("/api/quotes/{quote}/commands")))
                .bearer_auth(token(manager))
                .json(&json!({ "expectedVersion": version, "action": { "action": "approve", "comment": "同意" } }));
            tokio::spawn(async move { request.send().await.unwrap() })
        });
        let [first, second] = approvals;
        let responses = [first.await.unwrap(), second.await.unwrap()];
        let winner = match [responses[0].status(), responses[1].status()] {
            [StatusCode::OK, StatusCode::CONFLICT] => 0,
            [StatusCode::CONFLICT, StatusCode::OK] => 1,
            other => panic!("exactly one approval wins, got {other:?}"),
        };
        wins[winner] += 1;
        let [first, second] = responses;
        let (won, lost) = if winner == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let won = ok_json(won).await;
        assert_eq!(won["quote"]["status"], "approved");
        assert_eq!(
            won["quote"]["decision"]["by"],
            ["wang-fang", "li-qiang"][winner]
        );
        expect_error(lost, StatusCode::CONFLICT, "stale_quote").await;
        version = won["quote"]["version"].as_u64().unwrap();
        deal_shows(&mut owner, deal, &quote, version, QuoteStatus::Approved).await;
        let shown = deal_quotes(owner.client.doc(deal).unwrap());
        assert_eq!(
            shown[0].decided_by.as_ref().map(|user| user.as_str()),
            Some(["wang-fang", "li-qiang"][winner])
        );
    }
    assert_eq!(wins.iter().sum::<usize>(), 8);

    // A rejection needs a comment; a rejected quote is edited back to draft and resubmitted.
    // 25 % off needs level 2: a manager may not approve it, an admin may.
    let edit = json!({ "action": "edit", "edit": { "edit": "set_line", "line": line(40, 2_500) } });
    let submit = json!({ "action": "submit" });
    version = advance(&server, &quote, "zhang-wei", version, edit, "draft").await;
    version = advance(
        &server,
        &quote,
        "zhang-wei",
        version,
        submit.clone(),
        "pending_approval",
    )
    .await;
    let blank = json!({ "action": "reject", "comment": "  " });
    refused(
        &server,
        &quote,
        "chen-jing",
        version,
        blank,
        UNPROCESSABLE,
        "comment_required",
    )
    .await;
    let approve = json!({ "action": "approve" });
    let too_high = "insufficient_approval_level";
    refused(
        &server,
        &quote,
        "wang-fang",
        version,
        approve.clone(),
        UNPROCESSABLE,
        too_high,
    )
    .await;
    let reject = json!({ "action": "reject", "comment": "折扣过高" });
    version = advance(&server, &quote, "chen-jing", version, reject, "rejected").await;
    deal_shows(&mut owner, deal, &quote, version, QuoteStatus::Rejected).await;
    let edit = json!({ "action": "edit", "edit": { "edit": "set_line", "line": line(40, 1_500) } });
    version = advance(&server, &quote, "zhang-wei", version, edit, "draft").await;
    version = advance(
        &server,
        &quote,
        "zhang-wei",
        version,
        submit,
        "pending_approval",
    )
    .await;
    version = advance(&server, &quote, "wang-fang", version, approve, "approved").await;
    deal_shows(&mut owner, deal, &quote, version, QuoteStatus::Approved).await;

    // The owner forges the quote's entry in the deal (accepted, at a high version); the deal
    // document is display, and the relay's next decision writes the real state over it.
    let forged_quote = quote.clone();
    let ((), forge) = owner
        .client
        .change(deal, |tx| {
            let Some((_, quotes)) = tx.get(ROOT, "quotes")? else {
                unreachable!("the relay wrote the quotes section")
            };
            let entry = tx.put_object(
                &quotes,
                forged_quote.as_str(),
                dealflow_core::automerge::ObjType::Map,
            )?;
            tx.put(&entry, "id", forged_quote.as_str())?;
            tx.put(&entry, "status", "accepted")?;
            tx.put(&entry, "version", 999_u64)?;
            tx.put(&entry, "owner", "zhang-wei")
        })
        .unwrap();
    owner.send(forge).await;
    deal_shows(&mut owner, deal, &quote, 999, QuoteStatus::Accepted).await;

    // Send and accept; the deal follows.
    for (action, status, shown) in [
        ("send", "sent", QuoteStatus::Sent),
        ("accept", "accepted", QuoteStatus::Accepted),
    ] {
        let action = json!({ "action": action });
        version = advance(&server, &quote, "zhang-wei", version, action, status).await;
        deal_shows(&mut owner, deal, &quote, version, shown).await;
    }
    // Expiring an accepted quote is refused by core, and nothing changes.
    let expire = json!({ "action": "expire" });
    let invalid = "invalid_quote_transition";
    refused(
        &server,
        &quote,
        "zhang-wei",
        version,
        expire,
        UNPROCESSABLE,
        invalid,
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn quotes_on_deals_the_caller_may_not_see_look_missing() {
    let server = TestServer::start(&[]).await;
    let (deal, _owner) = deal_with_two_approvers(&server, 41).await;
    let created = ok_json(
        post(
            &server,
            &format!("/api/documents/{deal}/quotes"),
            "zhang-wei",
            json!({ "currency": "CNY", "validUntil": "2099-12-31" }),
        )
        .await,
    )
    .await;
    let quote = created["quote"]["id"].as_str().unwrap().to_owned();

    for path in [
        format!("/api/quotes/{quote}"),
        "/api/quotes/q-missing".to_owned(),
    ] {
        let response = api(&server, reqwest::Method::GET, &path, "zhao-min", None).await;
        expect_error(response, StatusCode::NOT_FOUND, "quote_unavailable").await;
    }
    for target in [quote.as_str(), "q-missing", "not a valid id!"] {
        let response = quote_command(
            &server,
            target,
            "zhao-min",
            1,
            json!({ "action": "submit" }),
        )
        .await;
        expect_error(response, StatusCode::NOT_FOUND, "quote_unavailable").await;
    }
    // Nor can they start a quote on it; the owner's manager sees the quote.
    let response = post(
        &server,
        &format!("/api/documents/{deal}/quotes"),
        "zhao-min",
        json!({ "currency": "CNY", "validUntil": "2099-12-31" }),
    )
    .await;
    expect_error(response, StatusCode::NOT_FOUND, "document_unavailable").await;
    let listed = ok_json(
        api(
            &server,
            reqwest::Method::GET,
            &format!("/api/documents/{deal}/quotes"),
            "wang-fang",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(listed["quotes"][0]["quote"]["id"], quote.as_str());

    // Bad input is an error, never a panic.
    for body in [
        json!({ "expectedVersion": -1, "action": { "action": "submit" } }),
        json!({ "expectedVersion": 1, "action": { "action": "launch" } }),
        json!({ "expectedVersion": 1, "action": { "action": "edit", "edit": { "edit": "set_line", "line": { "id": "" } } } }),
        json!("not an object"),
    ] {
        let response = post(
            &server,
            &format!("/api/quotes/{quote}/commands"),
            "zhang-wei",
            body,
        )
        .await;
        assert!(response.status().is_client_error());
    }
    let response = post(
        &server,
        &format!("/api/documents/{deal}/quotes"),
        "zhang-wei",
        json!({ "currency": "XXX1", "validUntil": "someday" }),
    )
    .await;
    assert!(response.status().is_client_error());
    server.stop().await;
}
