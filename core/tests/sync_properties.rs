//! Properties of the sync module: replicas converge whatever the delivery order and partitions,
//! and no byte sequence from a peer makes decoding or applying panic.

use std::collections::VecDeque;

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use dealflow_core::sync::{
    Connection, DocSync, DocumentId, Limits, PeerId, PeerMetadata, WireMessage,
};
use proptest::prelude::*;

const REPLICAS: usize = 3;

#[derive(Clone, Debug)]
enum Action {
    /// Replica puts `value` under one of a few keys (so edits conflict).
    Edit { replica: usize, key: u8, value: u16 },
    /// Replica appends to a shared list.
    Append { replica: usize, value: u16 },
    /// Deliver the next frame on the link `from → to`, if any.
    Deliver { from: usize, to: usize },
    /// Cut the link between two replicas: frames in flight are lost.
    Partition { a: usize, b: usize },
    /// Reconnect two replicas with fresh sync states.
    Heal { a: usize, b: usize },
}

fn action() -> impl Strategy<Value = Action> {
    let replica = 0..REPLICAS;
    let pair = (0..REPLICAS, 0..REPLICAS).prop_filter("two replicas", |(a, b)| a != b);
    prop_oneof![
        3 => (replica.clone(), 0u8..4, any::<u16>())
            .prop_map(|(replica, key, value)| Action::Edit { replica, key, value }),
        1 => (replica, any::<u16>()).prop_map(|(replica, value)| Action::Append { replica, value }),
        8 => pair.clone().prop_map(|(from, to)| Action::Deliver { from, to }),
        1 => pair.clone().prop_map(|(a, b)| Action::Partition { a, b }),
        1 => pair.prop_map(|(a, b)| Action::Heal { a, b }),
    ]
}

struct Mesh {
    replicas: Vec<DocSync>,
    /// `links[from][to]`: frames in flight, in order (the sync protocol needs FIFO links).
    links: Vec<Vec<VecDeque<Vec<u8>>>>,
    connected: Vec<Vec<bool>>,
}

fn peer(index: usize) -> PeerId {
    PeerId::new(format!("replica-{index}")).unwrap()
}

impl Mesh {
    fn new() -> Self {
        let id = DocumentId::from_random_bytes([7; 16]);
        let mut replicas: Vec<DocSync> = (0..REPLICAS)
            .map(|index| DocSync::new(id, peer(index), Limits::default()))
            .collect();
        // Every replica starts from the same initial document, as after a create and find.
        let ((), _) = replicas[0]
            .change(|tx| {
                tx.put_object(ROOT, "list", automerge::ObjType::List)?;
                Ok(())
            })
            .unwrap();
        let initial = replicas[0].doc().save();
        for (index, replica) in replicas.iter_mut().enumerate().skip(1) {
            let chunks = vec![(
                dealflow_core::sync::StorageKey::snapshot(id, &[]),
                initial.clone(),
            )];
            *replica = DocSync::load(id, peer(index), chunks, Limits::default())
                .unwrap()
                .0;
        }
        let mut mesh = Mesh {
            replicas,
            links: vec![vec![VecDeque::new(); REPLICAS]; REPLICAS],
            connected: vec![vec![false; REPLICAS]; REPLICAS],
        };
        for a in 0..REPLICAS {
            for b in (a + 1)..REPLICAS {
                mesh.heal(a, b);
            }
        }
        mesh
    }

    fn send(&mut self, from: usize, step: dealflow_core::sync::Step) {
        for outgoing in step.send {
            let to = index_of(&outgoing.peer);
            if self.connected[from][to] {
                self.links[from][to].push_back(outgoing.encode());
            }
        }
    }

    fn heal(&mut self, a: usize, b: usize) {
        if self.connected[a][b] {
            return;
        }
        self.connected[a][b] = true;
        self.connected[b][a] = true;
        for (x, y) in [(a, b), (b, a)] {
            self.replicas[x].remove_peer(&peer(y));
            let step = self.replicas[x].sync_with(&peer(y));
            self.send(x, step);
        }
    }

    fn partition(&mut self, a: usize, b: usize) {
        for (x, y) in [(a, b), (b, a)] {
            self.connected[x][y] = false;
            self.links[x][y].clear();
            self.replicas[x].remove_peer(&peer(y));
        }
    }

    fn deliver(&mut self, from: usize, to: usize) -> bool {
        let Some(frame) = self.links[from][to].pop_front() else {
            return false;
        };
        let message = WireMessage::decode(&frame).unwrap();
        let step = self.replicas[to].receive(&peer(from), message).unwrap();
        self.send(to, step);
        true
    }

    fn apply(&mut self, action: &Action) {
        match *action {
            Action::Edit {
                replica,
                key,
                value,
            } => {
                let ((), step) = self.replicas[replica]
                    .change(|tx| tx.put(ROOT, format!("k{key}"), i64::from(value)))
                    .unwrap();
                self.send(replica, step);
            }
            Action::Append { replica, value } => {
                let ((), step) = self.replicas[replica]
                    .change(|tx| {
                        let (_, list) = tx.get(ROOT, "list")?.expect("list exists");
                        let len = tx.length(&list);
                        tx.insert(&list, len, i64::from(value))
                    })
                    .unwrap();
                self.send(replica, step);
            }
            Action::Deliver { from, to } => {
                self.deliver(from, to);
            }
            Action::Partition { a, b } => self.partition(a, b),
            Action::Heal { a, b } => self.heal(a, b),
        }
    }

    fn settle(&mut self) {
        for a in 0..REPLICAS {
            for b in (a + 1)..REPLICAS {
                self.heal(a, b);
            }
        }
        for _ in 0..100_000 {
            let mut moved = false;
            for from in 0..REPLICAS {
                for to in 0..REPLICAS {
                    moved |= self.deliver(from, to);
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the mesh did not quiesce");
    }
}

fn index_of(peer: &PeerId) -> usize {
    peer.as_str()
        .strip_prefix("replica-")
        .and_then(|index| index.parse().ok())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn replicas_converge_under_any_delivery_order_and_partitions(
        actions in proptest::collection::vec(action(), 1..120)
    ) {
        let mut mesh = Mesh::new();
        for action in &actions {
            mesh.apply(action);
        }
        mesh.settle();
        let heads = mesh.replicas[0].heads();
        let content = mesh.replicas[0].doc().hydrate(None);
        for (index, replica) in mesh.replicas.iter().enumerate().skip(1) {
            prop_assert_eq!(&replica.heads(), &heads, "replica {} heads", index);
            prop_assert_eq!(&replica.doc().hydrate(None), &content, "replica {} content", index);
        }
        for a in 0..REPLICAS {
            for b in 0..REPLICAS {
                if a != b {
                    prop_assert!(mesh.replicas[a].in_sync(&peer(b)));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = WireMessage::decode(&bytes);
        let mut connection = Connection::accept(PeerId::new("relay").unwrap(), PeerMetadata::default());
        let _ = connection.on_frame(&bytes);
    }

    #[test]
    fn decoding_mutated_frames_never_panics(
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let frame = WireMessage::Ephemeral {
            sender_id: PeerId::new("browser").unwrap(),
            target_id: PeerId::new("relay").unwrap(),
            document_id: DocumentId::from_random_bytes([1; 16]),
            session_id: dealflow_core::sync::SessionId::new("s").unwrap(),
            count: 5,
            data: vec![1, 2, 3],
        }
        .encode();
        let mut mutated = frame.clone();
        let index = position.index(mutated.len());
        mutated[index] = byte;
        let _ = WireMessage::decode(&mutated);
        let _ = WireMessage::decode(&frame[..cut.index(frame.len())]);
    }

    #[test]
    fn applying_mutated_sync_messages_never_panics(
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let id = DocumentId::from_random_bytes([2; 16]);
        let mut writer = DocSync::new(id, PeerId::new("writer").unwrap(), Limits::default());
        let ((), _) = writer.change(|tx| tx.put(ROOT, "title", "Acme")).unwrap();
        let relay = PeerId::new("relay").unwrap();
        // A message that carries changes: the answer to an empty peer's request.
        let request = DocSync::new(id, relay.clone(), Limits::default())
            .request_from(&PeerId::new("writer").unwrap());
        let first = request.send[0].message.clone();
        let reply = writer.receive(&relay, first).unwrap();
        let WireMessage::Sync { data, .. } = &reply.send[0].message else {
            panic!("a sync reply");
        };
        let mut mutated = data.clone();
        let index = position.index(mutated.len());
        mutated[index] = byte;
        for data in [mutated, data[..cut.index(data.len())].to_vec()] {
            let mut target = DocSync::new(id, relay.clone(), Limits::default());
            let _ = target.receive(&PeerId::new("writer").unwrap(), WireMessage::Sync {
                sender_id: PeerId::new("writer").unwrap(),
                target_id: relay.clone(),
                document_id: id,
                data,
            });
        }
    }
}
