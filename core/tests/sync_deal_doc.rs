//! Contract tests of typed deal edits travelling through the sync client: a browser edits its
//! `DealDoc` replica, hands the changes to its `SyncClient` (stored and sent), and changes that
//! arrive from the relay are taken back into the `DealDoc`. This is the loop the wasm binding
//! drives.

#[path = "support/network.rs"]
mod network;

use dealflow_core::automerge::ActorId;
use dealflow_core::sync::{DocumentId, DocumentStatus, Limits, load_chunks};
use dealflow_core::*;
use network::Network;
use time::macros::offset;

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn at(day: i64) -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000 + day * MILLIS_PER_DAY)
}

fn open(id: DocumentId) -> DealDoc {
    let ctx = MoveContext {
        now: at(0),
        offset: offset!(+8),
        by: user("rep-li"),
        transition_id: RecordId::new("t0").unwrap(),
    };
    let new = NewDeal {
        id: DealId::new(id.to_string()).unwrap(),
        title: "华东电网 CRM 二期".into(),
        account: Account {
            name: "华东电网".into(),
            ..Account::default()
        },
        amount: Money::from_major(100_000, Currency::CNY).unwrap(),
        expected_close: None,
        owner: user("rep-li"),
        team: None,
        source: None,
        stage: None,
    };
    let pipeline = Pipeline::template_new_business();
    DealDoc::open(&pipeline, new, &ctx, ActorId::from(*b"laptop"))
        .unwrap()
        .0
}

/// Hands client `index`'s unsynced local edits of `doc` to its sync client.
fn publish(network: &mut Network, index: usize, id: DocumentId, doc: &mut DealDoc) {
    let changes = match network.client(index).doc(id) {
        Some(synced) => doc.changes_missing_from(synced),
        None => doc.changes_missing_from(&dealflow_core::automerge::Automerge::new()),
    };
    let step = network
        .client(index)
        .apply_local_changes(id, changes)
        .unwrap();
    network.client_step(index, step);
}

#[test]
fn typed_edits_reach_the_other_browser_and_come_back_typed() {
    let mut network = Network::new(2);
    network.run_until_quiet();
    let id = DocumentId::from_random_bytes([7; 16]);
    let mut laptop = open(id);
    publish(&mut network, 0, id, &mut laptop);
    assert_eq!(network.client(0).status(id), Some(DocumentStatus::Ready));
    network.run_until_quiet();

    let step = network.client(1).find(id);
    network.client_step(1, step);
    network.run_until_quiet();
    let synced = network.client(1).doc(id).unwrap();
    let mut phone = DealDoc::from_synced(synced, ActorId::from(*b"phone")).unwrap();
    assert_eq!(phone.read().unwrap().deal, laptop.read().unwrap().deal);

    // Concurrent typed edits on both browsers.
    laptop
        .update_text(&user("rep-li"), at(1), &TextField::Needs, "统一客服平台")
        .unwrap();
    phone
        .set_title(&user("rep-zhang"), at(1), "华东电网 CRM 二期（扩容）")
        .unwrap();
    publish(&mut network, 0, id, &mut laptop);
    publish(&mut network, 1, id, &mut phone);
    network.run_until_quiet();
    assert!(laptop.catch_up(network.client(0).doc(id).unwrap()).unwrap());
    assert!(phone.catch_up(network.client(1).doc(id).unwrap()).unwrap());
    assert!(!phone.catch_up(network.client(1).doc(id).unwrap()).unwrap());

    let deal = laptop.read().unwrap().deal;
    assert_eq!(deal, phone.read().unwrap().deal);
    assert_eq!(deal.needs, "统一客服平台");
    assert_eq!(deal.title, "华东电网 CRM 二期（扩容）");
    assert!(network.client(0).in_sync(id) && network.client(1).in_sync(id));
    assert!(
        laptop
            .changes_missing_from(network.client(0).doc(id).unwrap())
            .is_empty()
    );
}

#[test]
fn local_changes_are_stored_as_chunks_that_load_back() {
    let mut network = Network::new(1);
    let id = DocumentId::from_random_bytes([8; 16]);
    let mut doc = open(id);
    let changes = doc.changes_missing_from(&dealflow_core::automerge::Automerge::new());
    let first = network.client(0).apply_local_changes(id, changes).unwrap();
    doc.set_title(&user("rep-li"), at(1), "改名").unwrap();
    let changes = doc.changes_missing_from(network.client(0).doc(id).unwrap());
    assert_eq!(changes.len(), 1);
    let second = network.client(0).apply_local_changes(id, changes).unwrap();
    // Handing over the same changes again stores nothing.
    let again = doc.changes_missing_from(network.client(0).doc(id).unwrap());
    assert!(again.is_empty());

    let mut store = std::collections::BTreeMap::new();
    for op in first.store.into_iter().chain(second.store) {
        match op {
            sync::StorageOp::Put { key, bytes } => {
                store.insert(key, bytes);
            }
            sync::StorageOp::Delete { key } => {
                store.remove(&key);
            }
        }
    }
    let loaded = load_chunks(id, store, &Limits::default()).unwrap();
    let reopened = DealDoc::from_synced(&loaded.doc, ActorId::from(*b"tab-2")).unwrap();
    assert_eq!(reopened.read().unwrap().deal, doc.read().unwrap().deal);
}

#[test]
fn changes_beyond_the_size_cap_are_refused_and_nothing_is_opened() {
    let limits = Limits {
        max_document_ops: 10,
        ..Limits::default()
    };
    let mut client = sync::SyncClient::new(
        sync::PeerId::new("browser").unwrap(),
        sync::PeerMetadata::default(),
        sync::SessionId::new("s").unwrap(),
        limits,
    );
    let id = DocumentId::from_random_bytes([9; 16]);
    let mut doc = open(id);
    let changes = doc.changes_missing_from(&dealflow_core::automerge::Automerge::new());
    let error = client.apply_local_changes(id, changes).unwrap_err();
    assert_eq!(error.code(), ErrorCode::DocumentTooLarge);
    assert_eq!(client.status(id), None);
}

#[test]
fn a_synced_document_of_another_kind_is_not_a_deal() {
    let mut other = dealflow_core::automerge::AutoCommit::new();
    use dealflow_core::automerge::transaction::Transactable;
    other
        .put(dealflow_core::automerge::ROOT, "type", "pipeline")
        .unwrap();
    other.commit();
    let error = DealDoc::from_synced(other.document(), ActorId::from(*b"x")).unwrap_err();
    assert_eq!(error.code(), ErrorCode::WrongDocumentType);
}

#[test]
fn unsynced_changes_are_counted_offline_from_what_the_relay_acknowledged() {
    let mut network = Network::new(1);
    network.run_until_quiet();
    let id = DocumentId::from_random_bytes([10; 16]);
    let mut doc = open(id);
    publish(&mut network, 0, id, &mut doc);
    network.run_until_quiet();
    assert_eq!(network.client(0).unsynced_changes(id), Some(0));

    // The socket drops; two edits are made offline and counted.
    network.client(0).disconnected();
    assert!(!network.client(0).in_sync(id));
    doc.set_title(&user("rep-li"), at(1), "离线一").unwrap();
    publish(&mut network, 0, id, &mut doc);
    doc.set_title(&user("rep-li"), at(2), "离线二").unwrap();
    publish(&mut network, 0, id, &mut doc);
    assert_eq!(network.client(0).unsynced_changes(id), Some(2));

    // A document loaded from storage has no known acknowledgement while offline.
    let mut fresh = sync::SyncClient::new(
        sync::PeerId::new("reloaded").unwrap(),
        sync::PeerMetadata::default(),
        sync::SessionId::new("s2").unwrap(),
        Limits::default(),
    );
    let _ = fresh.find(id);
    assert_eq!(fresh.unsynced_changes(id), None);
}

#[test]
fn typed_edits_in_place_on_the_sync_clients_document_are_stored_synced_and_merge() {
    let mut network = Network::new(2);
    network.run_until_quiet();
    let id = DocumentId::from_random_bytes([9; 16]);
    let mut laptop = open(id);
    publish(&mut network, 0, id, &mut laptop);
    network.run_until_quiet();
    let step = network.client(1).find(id);
    network.client_step(1, step);
    network.run_until_quiet();

    // Each browser edits the one document its sync client holds: no second replica.
    let (changed, step) = network
        .client(0)
        .edit_in_place(id, |doc| {
            DealDoc::edit_in_place(doc, ActorId::from(*b"laptop"), |deal| {
                deal.set_title(&user("rep-li"), at(1), "华东电网 CRM 二期（扩容）")
            })
        })
        .unwrap();
    assert!(changed.unwrap().unwrap());
    assert!(!step.store.is_empty(), "the change is stored");
    assert!(!step.send.is_empty(), "and offered to the relay");
    network.client_step(0, step);
    let (_, step) = network
        .client(1)
        .edit_in_place(id, |doc| {
            DealDoc::edit_in_place(doc, ActorId::from(*b"phone"), |deal| {
                deal.update_text(&user("rep-wu"), at(1), &TextField::Needs, "统一客服平台")
            })
        })
        .unwrap();
    network.client_step(1, step);
    network.run_until_quiet();

    let read = |network: &mut Network, index: usize| {
        DealDoc::read_document(network.client(index).doc(id).unwrap())
            .unwrap()
            .deal
    };
    let on_laptop = read(&mut network, 0);
    assert_eq!(on_laptop, read(&mut network, 1));
    assert_eq!(on_laptop.title, "华东电网 CRM 二期（扩容）");
    assert_eq!(on_laptop.needs, "统一客服平台");

    // An edit that changes nothing stores and sends nothing; a rejected move writes nothing.
    let (unchanged, step) = network
        .client(0)
        .edit_in_place(id, |doc| {
            DealDoc::edit_in_place(doc, ActorId::from(*b"laptop"), |deal| {
                deal.set_title(&user("rep-li"), at(2), "华东电网 CRM 二期（扩容）")
            })
        })
        .unwrap();
    assert!(!unchanged.unwrap().unwrap());
    assert!(step.store.is_empty() && step.send.is_empty());

    // A document that is not a deal is left untouched.
    let other = DocumentId::from_random_bytes([10; 16]);
    let ((), step) = network
        .client(0)
        .create(other, |tx| {
            use dealflow_core::automerge::transaction::Transactable;
            tx.put(dealflow_core::automerge::ROOT, "type", "pipeline")
        })
        .unwrap();
    network.client_step(0, step);
    let (refused, step) = network
        .client(0)
        .edit_in_place(other, |doc| {
            DealDoc::edit_in_place(doc, ActorId::from(*b"laptop"), |deal| {
                deal.set_title(&user("rep-li"), at(2), "x")
            })
        })
        .unwrap();
    assert_eq!(refused.unwrap_err().code(), ErrorCode::WrongDocumentType);
    assert!(step.store.is_empty());
}
