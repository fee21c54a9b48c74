//! Load client for `scripts/bench/load`: N WebSocket clients, each subscribed to one of M deals
//! and editing it at a fixed rate, against any automerge-repo sync server (our relay or the
//! official Node one).
//!
//! Two kinds of client (`--client`):
//! - `full`: core's `SyncClient`, the code the browser runs, for the whole run: every received
//!   change is applied to an Automerge document.
//! - `lean` (the default): the same `SyncClient` connects, creates or fetches the deal and
//!   settles; when editing starts, the client switches to `lean::LeanReplica`, which keeps the
//!   deal's change graph and the sync state with the server but applies no operations (see
//!   `lean.rs`). It decodes every sync message with Automerge's decoder, parses and hashes every
//!   change, counts a delivery only for a change it parsed out of a sync message, reads the
//!   edit's author and sequence number from the change itself, and answers with the messages
//!   Automerge's `generate_sync_message` would send. Its edits are the same Automerge changes
//!   (checked byte for byte against Automerge at set-up). On the wire it is a full client; it is
//!   only cheaper to run, so that one process can drive 1,000 clients on a small machine.
//!
//! ```text
//! cargo run --release -p dealflow-server --example load -- \
//!     --url ws://127.0.0.1:8080/sync --token-secret <secret> --clients 100 --deals 10 \
//!     --server-pid <pid>
//! ```
//!
//! Phases: connect every client (deal creators first, then the others ask for their deal);
//! edit for `--duration` seconds at `--rate` edits per second per client; then wait up to
//! `--drain` seconds for the last deliveries. All clients live in this one process, so the time
//! an edit was made (recorded by its author, keyed by Automerge actor and change sequence) and
//! the time another client applies it are read from the same monotonic clock.
//!
//! It reports delivered edits per second, the p50/p99/max propagation latency from an edit to
//! another subscriber's receipt, lost deliveries, the server's CPU per edit and per delivery
//! (from `/proc/<pid>/stat`, with the kernel's share of it apart), the WebSocket frames the
//! server received and sent per edit (counted by the clients while editing) and its resident
//! memory per connection (`/proc/<pid>/status`), as a summary on stderr and one JSON object on
//! stdout.

mod lean;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use clap::Parser;
use dealflow_core::UserId;
use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{ActorId, ChangeHash, ROOT};
use dealflow_core::sync::{
    ClientEvent, Connection, DocumentId, DocumentStatus, Limits, PeerId, PeerMetadata, SessionId,
    SyncClient, WireMessage,
};
use dealflow_server::auth::{DEV_TOKEN_LIFETIME, TokenIssuer};
use dealflow_server::directory::Directory;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// mimalloc: allocation was 12 % of this client's CPU with glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// What reading the socket gave: a message, an error, or the end.
type Frame = Option<Result<Message, tokio_tungstenite::tungstenite::Error>>;

/// Flags of the load client.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "load",
    about = "N clients editing M deals against a sync server"
)]
struct Args {
    /// WebSocket URL of the sync endpoint (`ws://host:port/sync` for our relay).
    #[arg(long)]
    url: String,
    /// HS256 secret the relay verifies tokens with; when given, each connection carries a
    /// `?token=` minted for `--user`. Leave out for servers without authentication.
    #[arg(long)]
    token_secret: Option<String>,
    /// Demo user every client signs in as (the admin sees every deal).
    #[arg(long, default_value = "chen-jing")]
    user: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Deals; client `i` edits deal `i % deals`.
    #[arg(long, default_value_t = 10)]
    deals: usize,
    /// Edits per second per client.
    #[arg(long, default_value_t = 2.0)]
    rate: f64,
    /// Seconds of editing.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Most seconds to wait for outstanding deliveries after the last edit.
    #[arg(long, default_value_t = 10)]
    drain: u64,
    /// The server's process id, for its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// A name for this run in the JSON output.
    #[arg(long, default_value = "run")]
    label: String,
    /// Seed of the deals' document ids (use a fresh one per run against one data directory).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Connections opened at once during set-up.
    #[arg(long, default_value_t = 32)]
    connect_parallelism: usize,
    /// `lean` (a change graph, no document: see the module docs) or `full` (core's
    /// `SyncClient` applying every change, as the browser does).
    #[arg(long, value_enum, default_value_t = ClientKind::Lean)]
    client: ClientKind,
}

/// How the clients hold their deal while editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ClientKind {
    /// A change graph and the sync state, no Automerge document.
    Lean,
    /// Core's `SyncClient` with its Automerge document.
    Full,
}

/// What every client shares once set-up is over.
struct Plan {
    /// Automerge actor of each client's copy of its deal, to attribute received changes.
    actors: HashMap<ActorId, usize>,
    /// `sent_at[client][seq]`: microseconds since `epoch` when the client made its change with
    /// that sequence number, 0 if not made during the editing phase.
    sent_at: Vec<Vec<AtomicU64>>,
    epoch: Instant,
    edit_until: Instant,
}

/// Counters every client adds to while running.
#[derive(Default)]
struct Totals {
    edits: AtomicU64,
    expected: AtomicU64,
    delivered: AtomicU64,
    disconnects: AtomicU64,
    /// Lean clients whose first edit would have differed from Automerge's at set-up: they run
    /// as full clients instead.
    lean_mismatches: AtomicU64,
    /// Sync messages a lean client could not decode (must be 0).
    lean_errors: AtomicU64,
}

/// What one client measured.
#[derive(Default)]
struct ClientReport {
    latencies_us: Vec<u32>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.deals == 0 || args.clients < args.deals || args.rate <= 0.0 {
        return Err("need at least one client per deal and a positive rate".into());
    }
    let url = match &args.token_secret {
        Some(secret) => {
            let directory = Directory::demo();
            let user = directory
                .user(&UserId::new(args.user.as_str())?)
                .ok_or("no such demo user")?;
            let token = TokenIssuer::hs256(secret.as_bytes(), DEV_TOKEN_LIFETIME)?
                .issue(user, SystemTime::now())?
                .token;
            format!("{}?token={token}", args.url)
        }
        None => args.url.clone(),
    };
    let deals: Vec<DocumentId> = (0..args.deals)
        .map(|deal_idx| {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&args.seed.to_be_bytes());
            bytes[8..].copy_from_slice(&(deal_idx as u64).to_be_bytes());
            DocumentId::from_random_bytes(bytes)
        })
        .collect();
    let subscribers: Vec<u64> = (0..args.deals)
        .map(|deal_idx| {
            (0..args.clients)
                .filter(|client_idx| client_idx % args.deals == deal_idx)
                .count() as u64
        })
        .collect();

    let memory_before = args.server_pid.and_then(resident_bytes);
    let totals = Arc::new(Totals::default());
    let (plan_sender, plan_receiver) = watch::channel::<Option<Arc<Plan>>>(None);
    let (stop_sender, stop_receiver) = watch::channel(false);
    let (ready_sender, mut ready_receiver) = mpsc::channel::<(usize, ActorId)>(args.clients);
    let gate = Arc::new(Semaphore::new(args.connect_parallelism.max(1)));
    let setup_started = Instant::now();
    let mut tasks = Vec::with_capacity(args.clients);
    let mut actors = HashMap::new();
    // Creators first, so that every other client finds its deal on the server.
    for wave in [0..args.deals, args.deals..args.clients] {
        let n_wave = wave.len();
        for client_idx in wave {
            let client = LoadClient {
                idx: client_idx,
                url: url.clone(),
                deal: deals[client_idx % args.deals],
                creates: client_idx < args.deals,
                others_on_deal: subscribers[client_idx % args.deals].saturating_sub(1),
                period: Duration::from_secs_f64(1.0 / args.rate),
                phase: Duration::from_secs_f64(client_idx as f64 / args.clients as f64 / args.rate),
                totals: Arc::clone(&totals),
                kind: args.client,
            };
            tasks.push(tokio::spawn(client.run(
                Arc::clone(&gate),
                ready_sender.clone(),
                plan_receiver.clone(),
                stop_receiver.clone(),
            )));
        }
        for _ in 0..n_wave {
            let (client_idx, actor) =
                tokio::time::timeout(Duration::from_secs(120), ready_receiver.recv())
                    .await
                    .map_err(|_| "set-up timed out: not every client got its deal within 120 s")?
                    .ok_or("a client failed during set-up")?;
            actors.insert(actor, client_idx);
        }
    }
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    let memory_connected = args.server_pid.and_then(resident_bytes);
    eprintln!(
        "{}: {} clients on {} deals connected in {setup_seconds:.1} s",
        args.label, args.clients, args.deals
    );

    let per_client_slots = (args.duration as f64 * args.rate) as usize + 16;
    let epoch = Instant::now();
    let plan = Arc::new(Plan {
        actors,
        sent_at: (0..args.clients)
            .map(|_| (0..per_client_slots).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        epoch,
        edit_until: epoch + Duration::from_secs(args.duration),
    });
    let load_start = load_average();
    let cpu_start = args.server_pid.and_then(cpu_seconds);
    let frames_start = (
        FRAMES_SENT.load(Ordering::Relaxed),
        FRAMES_RECEIVED.load(Ordering::Relaxed),
    );
    let own_cpu_start = cpu_seconds(std::process::id());
    plan_sender.send_replace(Some(Arc::clone(&plan)));

    // Sample the server's memory while editing, and wait until the deliveries are in.
    let mut memory_peak = memory_connected.unwrap_or(0);
    let drain_deadline = plan.edit_until + Duration::from_secs(args.drain);
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Some(bytes) = args.server_pid.and_then(resident_bytes) {
            memory_peak = memory_peak.max(bytes);
        }
        let now = Instant::now();
        let caught_up =
            totals.delivered.load(Ordering::Relaxed) >= totals.expected.load(Ordering::Relaxed);
        if now >= drain_deadline || (now >= plan.edit_until && caught_up) {
            break;
        }
    }
    let elapsed = epoch.elapsed().as_secs_f64();
    let load_end = load_average();
    let cpu_end = args.server_pid.and_then(cpu_seconds);
    let frames_sent = FRAMES_SENT.load(Ordering::Relaxed) - frames_start.0;
    let frames_received = FRAMES_RECEIVED.load(Ordering::Relaxed) - frames_start.1;
    let own_cpu_end = cpu_seconds(std::process::id());
    stop_sender.send_replace(true);
    let mut latencies: Vec<u32> = Vec::new();
    for task in tasks {
        if let Ok(report) = task.await {
            latencies.extend(report.latencies_us);
        }
    }
    latencies.sort_unstable();

    let edits = totals.edits.load(Ordering::Relaxed);
    let expected = totals.expected.load(Ordering::Relaxed);
    let delivered = latencies.len() as u64;
    let lost = expected.saturating_sub(delivered);
    let edit_seconds = args.duration as f64;
    let server_times = match (cpu_start, cpu_end) {
        (Some(start), Some(end)) => Some(end.since(start)),
        _ => None,
    };
    let server_cpu = server_times.map(CpuTimes::total);
    let own_cpu = match (own_cpu_start, own_cpu_end) {
        (Some(start), Some(end)) => Some(end.since(start).total()),
        _ => None,
    };
    let percentile_ms = |fraction: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        // Nearest rank.
        let rank = ((fraction * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        f64::from(latencies[rank - 1]) / 1000.0
    };
    // Server CPU seconds as milliseconds per edit made.
    let ms_per_edit = |seconds: f64| round(seconds * 1000.0 / edits.max(1) as f64, 3);
    let baseline = memory_before.unwrap_or(0);
    let per_connection = |bytes: u64| bytes.saturating_sub(baseline) as f64 / args.clients as f64;
    let report = serde_json::json!({
        "label": args.label,
        "client": format!("{:?}", args.client).to_lowercase(),
        "clients": args.clients,
        "deals": args.deals,
        "rate_per_client": args.rate,
        "duration_s": args.duration,
        "setup_s": round(setup_seconds, 1),
        "edits": edits,
        "edits_per_s": round(edits as f64 / edit_seconds, 1),
        "expected_deliveries": expected,
        "delivered": delivered,
        "delivered_per_s": round(delivered as f64 / edit_seconds, 1),
        "lost": lost,
        "loss_pct": round(if expected == 0 { 0.0 } else { lost as f64 * 100.0 / expected as f64 }, 2),
        "p50_ms": round(percentile_ms(0.50), 2),
        "p99_ms": round(percentile_ms(0.99), 2),
        "max_ms": round(percentile_ms(1.0), 2),
        "disconnects": totals.disconnects.load(Ordering::Relaxed),
        "lean_mismatches": totals.lean_mismatches.load(Ordering::Relaxed),
        "lean_errors": totals.lean_errors.load(Ordering::Relaxed),
        "measured_s": round(elapsed, 1),
        "server_cpu_s": server_cpu.map(|cpu| round(cpu, 2)),
        "server_cpu_ms_per_edit": server_cpu.map(ms_per_edit),
        "server_cpu_us_per_delivery": server_cpu.map(|cpu| round(cpu * 1e6 / delivered.max(1) as f64, 1)),
        "frames_to_server_per_edit": round(frames_sent as f64 / edits.max(1) as f64, 2),
        "frames_from_server_per_edit": round(frames_received as f64 / edits.max(1) as f64, 2),
        // The kernel's share (socket sends and receives, wake-ups, fsync) and the process's own.
        "server_system_ms_per_edit": server_times.map(|cpu| ms_per_edit(cpu.system)),
        "server_user_ms_per_edit": server_times.map(|cpu| ms_per_edit(cpu.user)),
        "server_rss_before_mib": memory_before.map(|bytes| round(bytes as f64 / 1048576.0, 1)),
        "server_rss_connected_mib": memory_connected.map(|bytes| round(bytes as f64 / 1048576.0, 1)),
        "server_rss_peak_mib": args.server_pid.map(|_| round(memory_peak as f64 / 1048576.0, 1)),
        "server_kib_per_connection_idle": memory_connected.map(|bytes| round(per_connection(bytes) / 1024.0, 1)),
        "server_kib_per_connection_peak": args.server_pid.map(|_| round(per_connection(memory_peak) / 1024.0, 1)),
        "client_cpu_s": own_cpu.map(|cpu| round(cpu, 2)),
        "client_cpu_us_per_delivery": own_cpu.map(|cpu| round(cpu * 1e6 / delivered.max(1) as f64, 1)),
        "load_avg": format!(
            "{}→{}",
            load_start.as_deref().unwrap_or("?"),
            load_end.as_deref().unwrap_or("?")
        ),
    });
    eprintln!(
        "{}: {edits} edits ({:.0}/s), {delivered}/{expected} deliveries ({:.0}/s), lost {lost}, \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, server CPU {} ms/edit, peak RSS {} KiB/connection",
        args.label,
        edits as f64 / edit_seconds,
        delivered as f64 / edit_seconds,
        percentile_ms(0.5),
        percentile_ms(0.99),
        percentile_ms(1.0),
        report["server_cpu_ms_per_edit"],
        report["server_kib_per_connection_peak"],
    );
    // The one machine-readable line the script collects.
    #[allow(clippy::print_stdout)]
    {
        println!("{report}");
    }
    Ok(())
}

struct LoadClient {
    idx: usize,
    url: String,
    deal: DocumentId,
    creates: bool,
    others_on_deal: u64,
    period: Duration,
    phase: Duration,
    totals: Arc<Totals>,
    kind: ClientKind,
}

impl LoadClient {
    async fn run(
        self,
        gate: Arc<Semaphore>,
        ready: mpsc::Sender<(usize, ActorId)>,
        mut plan: watch::Receiver<Option<Arc<Plan>>>,
        stop: watch::Receiver<bool>,
    ) -> ClientReport {
        let mut report = ClientReport::default();
        let name = format!("load-{}", self.idx);
        let (Ok(peer), Ok(session)) = (
            PeerId::new(name.as_str()),
            SessionId::new(format!("{name}-session")),
        ) else {
            return report;
        };
        let mut client = SyncClient::new(peer, PeerMetadata::default(), session, Limits::default());
        let mut socket = {
            let Ok(_permit) = gate.acquire().await else {
                return report;
            };
            let Some(mut socket) = self.open(&mut client).await else {
                eprintln!("client {}: cannot connect", self.idx);
                return report;
            };
            let step = if self.creates {
                match client.create(self.deal, |tx| {
                    tx.put(ROOT, "type", "deal")?;
                    tx.put(ROOT, "schemaVersion", 1_u64)?;
                    tx.put(ROOT, "title", format!("Load deal {}", self.idx))
                }) {
                    Ok(((), step)) => step,
                    Err(error) => {
                        eprintln!("client {}: {error}", self.idx);
                        return report;
                    }
                }
            } else {
                client.find(self.deal)
            };
            if send_all(&mut socket, step.send).await.is_err() {
                return report;
            }
            let settled = pump_until(
                &mut socket,
                &mut client,
                Duration::from_secs(60),
                |client| {
                    client.status(self.deal) == Some(DocumentStatus::Ready)
                        && client.in_sync(self.deal)
                },
            )
            .await;
            if !settled {
                eprintln!(
                    "client {}: its deal did not arrive ({:?})",
                    self.idx,
                    client.status(self.deal)
                );
                return report;
            }
            socket
        };
        let Some(actor) = client.doc(self.deal).map(|doc| doc.get_actor().clone()) else {
            return report;
        };
        if ready.send((self.idx, actor)).await.is_err() {
            return report;
        }
        let mut heads = client
            .doc(self.deal)
            .map(|doc| doc.get_heads())
            .unwrap_or_default();
        let ready_heads = heads.clone();

        // Keep answering the protocol until the plan arrives.
        let plan = loop {
            tokio::select! {
                changed = plan.changed() => {
                    if changed.is_err() {
                        return report;
                    }
                    if let Some(plan) = plan.borrow().clone() {
                        break plan;
                    }
                }
                frame = socket.next() => {
                    if !self.on_frame(frame, &mut socket, &mut client, None, &mut heads, &mut report).await {
                        return report;
                    }
                }
            }
        };
        // Other clients may have started editing before this task saw the plan: what the set-up
        // loop above received of their edits is delivered too (timed now, an upper bound).
        if let Some(doc) = client.doc(self.deal) {
            let changes = doc.get_changes_meta(&ready_heads);
            self.count_deliveries(
                &plan,
                &mut report,
                changes
                    .iter()
                    .map(|change| (change.actor.as_ref(), change.seq)),
            );
        }

        let lean = match (self.kind, client.doc(self.deal), client.server()) {
            (ClientKind::Lean, Some(doc), Some(server)) => {
                let replica = lean::LeanReplica::from_doc(doc, format!("note{}", self.idx));
                if replica.check_against(doc) {
                    Some((replica, server.clone()))
                } else {
                    // Stays a full client for the run (counted: see the module docs).
                    self.totals.lean_mismatches.fetch_add(1, Ordering::Relaxed);
                    None
                }
            }
            _ => None,
        };
        if let Some((replica, server)) = lean {
            let mut lean = LeanSession {
                replica,
                peer: client.peer_id().clone(),
                server,
            };
            drop(client);
            return self.edit_loop(socket, &mut lean, &plan, stop, report).await;
        }

        let mut full = FullEditor { client, heads };
        self.edit_loop(socket, &mut full, &plan, stop, report).await
    }

    /// The editing phase, whichever way the client holds its deal: an edit every `period` until
    /// the plan's end, answering the server in between, reconnecting when it drops us.
    async fn edit_loop(
        &self,
        mut socket: Socket,
        editor: &mut impl Editor,
        plan: &Plan,
        mut stop: watch::Receiver<bool>,
        mut report: ClientReport,
    ) -> ClientReport {
        let mut next_edit = tokio::time::Instant::from_std(plan.epoch + self.phase);
        let mut value = 0u64;
        loop {
            let editing = Instant::now() < plan.edit_until;
            tokio::select! {
                biased;
                _ = stop.changed() => break,
                () = tokio::time::sleep_until(next_edit), if editing => {
                    next_edit += self.period;
                    value += 1;
                    let (frames, seq) = editor.edit(self, value);
                    if let Some(seq) = seq {
                        self.mark_sent(plan, seq);
                    }
                    if send_all(&mut socket, frames).await.is_err() {
                        socket = editor.reconnect(self).await;
                    }
                }
                frame = socket.next() => {
                    if matches!(frame, Some(Ok(Message::Binary(_)))) {
                        FRAMES_RECEIVED.fetch_add(1, Ordering::Relaxed);
                    }
                    if !editor.on_frame(self, frame, &mut socket, plan, &mut report).await {
                        socket = editor.reconnect(self).await;
                    }
                }
            }
        }
        let _ = socket.close(None).await;
        report
    }

    /// Records that this client made its change number `seq` now: the receivers' latencies are
    /// measured from here, and each other client on the deal is now expected to receive it.
    fn mark_sent(&self, plan: &Plan, seq: u64) {
        if let Some(slot) = usize::try_from(seq)
            .ok()
            .and_then(|seq| plan.sent_at.get(self.idx)?.get(seq))
        {
            slot.store(micros_since(plan.epoch).max(1), Ordering::Relaxed);
            self.totals.edits.fetch_add(1, Ordering::Relaxed);
            self.totals
                .expected
                .fetch_add(self.others_on_deal, Ordering::Relaxed);
        }
    }

    /// Counts the edits among `changes` (author's actor, sequence number) that another client
    /// made while editing, as delivered to this client now.
    fn count_deliveries<'a>(
        &self,
        plan: &Plan,
        report: &mut ClientReport,
        changes: impl IntoIterator<Item = (&'a ActorId, u64)>,
    ) {
        let now_us = micros_since(plan.epoch);
        for (actor, seq) in changes {
            let Some(&author) = plan.actors.get(actor) else {
                continue;
            };
            if author == self.idx {
                continue;
            }
            let sent = usize::try_from(seq)
                .ok()
                .and_then(|seq| plan.sent_at.get(author)?.get(seq))
                .map_or(0, |slot| slot.load(Ordering::Relaxed));
            if sent > 0 {
                let latency = now_us.saturating_sub(sent);
                report
                    .latencies_us
                    .push(u32::try_from(latency).unwrap_or(u32::MAX));
                self.totals.delivered.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Handles one socket event; `false` when the socket is gone.
    async fn on_frame(
        &self,
        frame: Frame,
        socket: &mut Socket,
        client: &mut SyncClient,
        plan: Option<&Plan>,
        heads: &mut Vec<ChangeHash>,
        report: &mut ClientReport,
    ) -> bool {
        let bytes = match frame {
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return false,
            Some(Ok(_)) => return true,
        };
        let Ok(step) = client.on_frame(&bytes) else {
            return true;
        };
        let changed = step.events.iter().any(|event| {
            matches!(event, ClientEvent::DocumentChanged { document_id } if *document_id == self.deal)
        });
        if changed && let Some(doc) = client.doc(self.deal) {
            if let Some(plan) = plan {
                let changes = doc.get_changes_meta(heads);
                self.count_deliveries(
                    plan,
                    report,
                    changes
                        .iter()
                        .map(|change| (change.actor.as_ref(), change.seq)),
                );
            }
            *heads = doc.get_heads();
        }
        send_all(socket, step.send).await.is_ok()
    }

    /// Opens a socket and completes the handshake.
    async fn open(&self, client: &mut SyncClient) -> Option<Socket> {
        // Small sync frames: a 16 KiB read chunk instead of the default 128 KiB, which
        // tungstenite zeroes on every read (7 % of this client's CPU in a profile).
        let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(self.url.as_str(), Some(config), false)
                .await
                .ok()?;
        let join = client.connect();
        send_all(&mut socket, vec![join]).await.ok()?;
        pump_until(&mut socket, client, Duration::from_secs(30), |client| {
            client.server().is_some()
        })
        .await
        .then_some(socket)
    }
}

/// How a client holds its deal while editing (`--client`): what differs between a full and a
/// lean client inside the one editing loop, `LoadClient::edit_loop`.
trait Editor {
    /// Makes edit number `value`: the frames to send and the edit's sequence number (`None` if
    /// no edit was made).
    fn edit(&mut self, client: &LoadClient, value: u64) -> (Vec<Vec<u8>>, Option<u64>);

    /// Handles one socket event during the run; `false` when the socket is gone.
    async fn on_frame(
        &mut self,
        client: &LoadClient,
        frame: Frame,
        socket: &mut Socket,
        plan: &Plan,
        report: &mut ClientReport,
    ) -> bool;

    /// Reconnects after the server dropped the connection and restarts the sync.
    async fn reconnect(&mut self, client: &LoadClient) -> Socket;
}

/// A full client's state once editing starts: core's `SyncClient` and the deal's heads when
/// deliveries were last counted.
struct FullEditor {
    client: SyncClient,
    heads: Vec<ChangeHash>,
}

impl Editor for FullEditor {
    fn edit(&mut self, client: &LoadClient, value: u64) -> (Vec<Vec<u8>>, Option<u64>) {
        let edited = self.client.change(client.deal, |tx| {
            tx.put(ROOT, format!("note{}", client.idx), value)
        });
        let Ok(((), step)) = edited else {
            return (Vec::new(), None);
        };
        let doc = self.client.doc(client.deal);
        let seq = doc
            .and_then(|doc| doc.get_last_local_change())
            .map(|change| change.seq());
        if let Some(doc) = doc {
            self.heads = doc.get_heads();
        }
        (step.send, seq)
    }

    async fn on_frame(
        &mut self,
        client: &LoadClient,
        frame: Frame,
        socket: &mut Socket,
        plan: &Plan,
        report: &mut ClientReport,
    ) -> bool {
        client
            .on_frame(
                frame,
                socket,
                &mut self.client,
                Some(plan),
                &mut self.heads,
                report,
            )
            .await
    }

    /// The `SyncClient` reconnects and re-syncs its deal.
    async fn reconnect(&mut self, client: &LoadClient) -> Socket {
        client.totals.disconnects.fetch_add(1, Ordering::Relaxed);
        self.client.disconnected();
        let mut attempts = 0;
        loop {
            let delay = SyncClient::reconnect_delay_ms(attempts);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            if let Some(socket) = client.open(&mut self.client).await {
                return socket;
            }
            attempts += 1;
        }
    }
}

impl Editor for LeanSession {
    fn edit(&mut self, client: &LoadClient, value: u64) -> (Vec<Vec<u8>>, Option<u64>) {
        let message = self.replica.edit(value);
        let frames = message
            .map(|data| self.frame(client.deal, data))
            .into_iter()
            .collect();
        (frames, Some(self.replica.seq()))
    }

    async fn on_frame(
        &mut self,
        client: &LoadClient,
        frame: Frame,
        socket: &mut Socket,
        plan: &Plan,
        report: &mut ClientReport,
    ) -> bool {
        let bytes = match frame {
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return false,
            Some(Ok(_)) => return true,
        };
        let data = match WireMessage::decode(&bytes) {
            Ok(WireMessage::Sync {
                document_id, data, ..
            }) if document_id == client.deal => data,
            Ok(WireMessage::Error { .. } | WireMessage::Leave { .. }) => return false,
            Ok(_) => return true,
            Err(_) => {
                client.totals.lean_errors.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        };
        let received = match self.replica.receive(&data) {
            Ok(received) => received,
            Err(error) => {
                eprintln!("client {}: {error}", client.idx);
                client.totals.lean_errors.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        };
        client.count_deliveries(
            plan,
            report,
            received
                .iter()
                .map(|change| (change.actor_id(), change.seq())),
        );
        let frames = self.reply(client.deal);
        send_all(socket, frames).await.is_ok()
    }

    /// A new handshake (core's `Connection`), then the sync starts over from a fresh state, as
    /// a full client's does.
    async fn reconnect(&mut self, client: &LoadClient) -> Socket {
        client.totals.disconnects.fetch_add(1, Ordering::Relaxed);
        let mut attempts = 0;
        loop {
            let delay = SyncClient::reconnect_delay_ms(attempts);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            attempts += 1;
            let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
            let Ok((mut socket, _)) = tokio_tungstenite::connect_async_with_config(
                client.url.as_str(),
                Some(config),
                false,
            )
            .await
            else {
                continue;
            };
            let (mut connection, join) =
                Connection::dial(self.peer.clone(), PeerMetadata::default());
            if send_all(&mut socket, vec![join]).await.is_err() {
                continue;
            }
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            while connection.peer().is_none() {
                match tokio::time::timeout_at(deadline, socket.next()).await {
                    Ok(Some(Ok(Message::Binary(bytes)))) => {
                        let _ = connection.on_frame(&bytes);
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                }
            }
            let Some(server) = connection.peer().cloned() else {
                continue;
            };
            self.server = server;
            self.replica.reset_sync();
            let frames = self.reply(client.deal);
            if send_all(&mut socket, frames).await.is_ok() {
                return socket;
            }
        }
    }
}

/// A lean client's state once editing starts.
struct LeanSession {
    replica: lean::LeanReplica,
    /// Our own peer id, as sent in `join`.
    peer: PeerId,
    /// The server's peer id, from its `peer` answer.
    server: PeerId,
}

impl LeanSession {
    /// The frame of the replica's next sync message for the server, if it has one to send.
    fn reply(&mut self, deal: DocumentId) -> Vec<Vec<u8>> {
        let message = self.replica.generate();
        message
            .map(|data| self.frame(deal, data))
            .into_iter()
            .collect()
    }

    /// A `sync` frame carrying `data` to the server.
    fn frame(&self, deal: DocumentId, data: Vec<u8>) -> Vec<u8> {
        WireMessage::Sync {
            sender_id: self.peer.clone(),
            target_id: self.server.clone(),
            document_id: deal,
            data,
        }
        .encode()
    }
}

/// Reads and answers frames until `done` holds; `false` on timeout or a closed socket.
async fn pump_until(
    socket: &mut Socket,
    client: &mut SyncClient,
    timeout: Duration,
    done: impl Fn(&SyncClient) -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done(client) {
        let next = match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => bytes,
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) | Err(_) => return false,
            Ok(Some(Ok(_))) => continue,
        };
        if let Ok(step) = client.on_frame(&next)
            && send_all(socket, step.send).await.is_err()
        {
            return false;
        }
    }
    true
}

async fn send_all(
    socket: &mut Socket,
    frames: Vec<Vec<u8>>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    if frames.is_empty() {
        return Ok(());
    }
    for frame in frames {
        socket.feed(Message::Binary(frame.into())).await?;
        FRAMES_SENT.fetch_add(1, Ordering::Relaxed);
    }
    socket.flush().await
}

/// WebSocket frames the clients sent and received: per edit, these are the frames the server
/// received and sent, the protocol's share of the server's socket work.
static FRAMES_SENT: AtomicU64 = AtomicU64::new(0);
static FRAMES_RECEIVED: AtomicU64 = AtomicU64::new(0);

fn micros_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// A process's CPU seconds in user space and in the kernel on its behalf.
#[derive(Clone, Copy, Debug)]
struct CpuTimes {
    user: f64,
    system: f64,
}

impl CpuTimes {
    fn total(self) -> f64 {
        self.user + self.system
    }

    /// The CPU used between `earlier` and `self`.
    fn since(self, earlier: CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }
}

/// User and system CPU seconds of a process, from `/proc/<pid>/stat` (clock ticks of 1/100 s,
/// Linux's `USER_HZ` on every mainstream architecture).
fn cpu_seconds(pid: u32) -> Option<CpuTimes> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some(CpuTimes {
        user: user / 100.0,
        system: system / 100.0,
    })
}

/// The one-minute load average, from `/proc/loadavg`.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// Resident set size of a process, from `/proc/<pid>/status`.
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
