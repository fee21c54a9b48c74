//! Demo deals as Automerge documents whose change history follows the story.

use automerge::ActorId;

use super::{DealTimeline, DemoData, DemoEdit, DemoError, DemoEvent};
use crate::doc::DealDoc;
use crate::error::Error;
use crate::id::{DealId, UserId};
use crate::pipeline::MoveContext;

/// Every demo deal as a [`DealDoc`] whose change history follows its story, in the order of
/// [`DemoData::deals`]; see [`deal_document`].
///
/// ```
/// use dealflow_core::Timestamp;
/// use dealflow_core::demo::{DemoConfig, deal_documents, generate};
/// use time::macros::offset;
///
/// let mut config = DemoConfig::new(7, Timestamp::from_millis(1_773_540_000_000), offset!(+8));
/// config.n_deals = 5;
/// let data = generate(&config)?;
/// let documents = deal_documents(&data)?;
/// for ((id, doc), deal) in documents.iter().zip(&data.deals) {
///     assert_eq!(id, &deal.id);
///     assert_eq!(&doc.read()?.deal, deal);
/// }
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn deal_documents(data: &DemoData) -> Result<Vec<(DealId, DealDoc)>, Error> {
    data.timelines
        .iter()
        .map(|timeline| Ok((timeline.deal.clone(), deal_document(data, timeline)?)))
        .collect()
}

/// One demo deal as a [`DealDoc`] whose changes are the deal's history. Deals are independent,
/// so a caller with threads (the relay seeding its store) can build them in parallel.
///
/// The document is created by the owner at the deal's opening, holding what they entered with
/// it (source, campaign, first contact, …). The rest of the timeline is replayed session by session: a stage move is one
/// change through [`DealDoc::move_stage`] (so the pipeline checks it again); a single edit goes
/// through its typed edit ([`DealDoc::record_follow_up`], [`DealDoc::upsert_contact`], …); the
/// edits one user made on one day between two moves are one [`DealDoc::update`] dated at the
/// last of them, like a form saved once. Each user writes with their own actor id (drawn from
/// the seed), as from their own device. So [`DealDoc::changes`], [`DealDoc::read_as_of`] and
/// [`DealDoc::changes_between`] show who changed what, to the day, and the same data gives
/// byte-identical documents.
///
/// Batching by session halves the number of changes (about 12 per deal instead of 27); every
/// change still costs a read of the whole document, which is what replay time is spent on.
pub fn deal_document(data: &DemoData, timeline: &DealTimeline) -> Result<DealDoc, Error> {
    let pipeline = data
        .pipelines
        .iter()
        .find(|pipeline| pipeline.id == timeline.pipeline)
        .ok_or_else(|| DemoError::Inconsistent {
            reason: format!(
                "deal {} is in pipeline {}, which the data lacks",
                timeline.deal, timeline.pipeline
            ),
        })?;
    let offset = data.offset;
    let ctx = MoveContext {
        now: timeline.opened_at,
        offset,
        by: timeline.opened_by.clone(),
        transition_id: timeline.open_transition.clone(),
    };
    let (mut deal, _) = pipeline.open_deal(timeline.opening.clone(), &ctx)?;
    let events = &timeline.events;
    // What the owner entered with the deal, at the moment of opening, is part of the creation.
    let opening_edits = events
        .iter()
        .take_while(|event| {
            event.at == timeline.opened_at
                && event.by == timeline.opened_by
                && !matches!(event.edit, DemoEdit::Move { .. })
        })
        .count();
    for event in events.get(..opening_edits).unwrap_or_default() {
        event.apply_edit(&mut deal);
    }
    let mut author = timeline.opened_by.clone();
    let mut doc = DealDoc::create(
        &deal,
        actor(timeline, &author)?,
        &author,
        timeline.opened_at,
    )?;
    let mut index = opening_edits;
    while let Some(event) = events.get(index) {
        if event.by != author {
            author = event.by.clone();
            let automerge = doc.into_automerge().with_actor(actor(timeline, &author)?);
            doc = DealDoc::from_automerge(automerge)?;
        }
        let end =
            session_end(events, index, &author, event.at.date_at(offset), data).max(index + 1);
        match events.get(index..end).unwrap_or_default() {
            [] => {}
            [single] => single.apply_to_doc(&mut doc, pipeline, offset)?,
            session => {
                let mut summaries: Vec<&str> = Vec::new();
                for event in session {
                    if !summaries.contains(&event.summary()) {
                        summaries.push(event.summary());
                    }
                }
                let saved_at = session.last().map_or(event.at, |last| last.at);
                doc.update(&author, saved_at, &summaries.join(", "), |deal| {
                    for event in session {
                        event.apply_edit(deal);
                    }
                })?;
            }
        }
        index = end;
    }
    Ok(doc)
}

/// The end of the session starting at `start`: the edits `by` made on `date` without a stage
/// move in between. A stage move is a session of its own.
fn session_end(
    events: &[DemoEvent],
    start: usize,
    by: &UserId,
    date: time::Date,
    data: &DemoData,
) -> usize {
    let is_move = |event: &DemoEvent| matches!(event.edit, DemoEdit::Move { .. });
    if events.get(start).is_some_and(is_move) {
        return start + 1;
    }
    events
        .iter()
        .skip(start)
        .position(|event| {
            is_move(event) || &event.by != by || event.at.date_at(data.offset) != date
        })
        .map_or(events.len(), |position| start + position)
}

fn actor(timeline: &DealTimeline, user: &UserId) -> Result<ActorId, DemoError> {
    timeline
        .actors
        .get(user)
        .map(|bytes| ActorId::from(&bytes[..]))
        .ok_or_else(|| DemoError::Inconsistent {
            reason: format!("deal {} has no actor for user {user}", timeline.deal),
        })
}
