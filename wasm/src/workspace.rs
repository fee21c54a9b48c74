//! The `Workspace` class: the documents a client holds, and computations over all of them.

use std::cell::RefCell;
use std::collections::BTreeMap;

use dealflow_core as domain;
use tsify::Ts;

use crate::convert::{ToJs, read};
use wasm_bindgen::prelude::*;

use crate::deal_doc::{DealDoc, millis};
use crate::dto::{AttentionConfig, AttentionLists, DealSummary, utc_offset};
use crate::error::JsResult;
use crate::pipeline::Pipeline;

/// A deal as last read (`None`: unreadable) and the heads it was read at.
type CachedRead = (Vec<domain::automerge::ChangeHash>, Option<domain::Deal>);

/// The deals and pipelines a client holds, in the organisation's time zone, and every
/// computation over them that a page needs at once (attention lists); forecasts, deal health
/// and reports run in the compute module over a [`Workspace::snapshot`].
///
/// Deals are kept by document id. A `DealDoc` put in or taken out is shared with the
/// workspace, so edits made through it are seen by every computation.
///
/// @example
/// ```ts
/// const workspace = new Workspace(480); // UTC+8
/// workspace.setPipeline(Pipeline.newBusiness());
/// workspace.addDeal("deal-1", DealDoc.load(bytes, actor));
/// const lists = workspace.attention(Date.now());
/// for (const task of lists.overdueTasks) console.log(task.title.zh, task.daysOverdue);
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Workspace {
    offset: time::UtcOffset,
    deals: BTreeMap<String, DealDoc>,
    pipelines: BTreeMap<String, domain::Pipeline>,
    /// The last read of each deal and the heads it was read at: a document only changes with
    /// its heads, so computations over many deals re-read only the deals that changed.
    reads: RefCell<BTreeMap<String, CachedRead>>,
}

#[wasm_bindgen]
impl Workspace {
    /// An empty workspace for an organisation `utcOffsetMinutes` east of UTC (480 for China).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = utcOffsetMinutes)] utc_offset_minutes: i32,
    ) -> JsResult<Workspace> {
        Ok(Workspace {
            offset: utc_offset(utc_offset_minutes)?,
            deals: BTreeMap::new(),
            pipelines: BTreeMap::new(),
            reads: RefCell::new(BTreeMap::new()),
        })
    }

    /// Adds a pipeline, replacing the one with the same id.
    #[wasm_bindgen(js_name = setPipeline)]
    pub fn set_pipeline(&mut self, pipeline: &Pipeline) {
        let pipeline = pipeline.core().clone();
        self.pipelines.insert(pipeline.id.to_string(), pipeline);
    }

    /// The pipeline with `id`, if held.
    pub fn pipeline(&self, id: &str) -> Option<Pipeline> {
        self.pipelines.get(id).cloned().map(Pipeline::wrap)
    }

    /// The ids of the pipelines held.
    #[wasm_bindgen(js_name = pipelineIds)]
    pub fn pipeline_ids(&self) -> Vec<String> {
        self.pipelines.keys().cloned().collect()
    }

    /// Holds `doc` under `documentId` (the deal's id), sharing it; replaces any document held
    /// under that id.
    #[wasm_bindgen(js_name = addDeal)]
    pub fn add_deal(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
        doc: &DealDoc,
    ) {
        self.deals.insert(document_id.to_owned(), doc.clone());
    }

    /// The deal document held under `documentId`, shared with the workspace.
    pub fn deal(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> Option<DealDoc> {
        self.deals.get(document_id).cloned()
    }

    /// The ids of the deals held, in order.
    #[wasm_bindgen(js_name = dealIds)]
    pub fn deal_ids(&self) -> Vec<String> {
        self.deals.keys().cloned().collect()
    }

    /// How many deals are held.
    #[wasm_bindgen(getter, js_name = dealCount)]
    pub fn deal_count(&self) -> u32 {
        u32::try_from(self.deals.len()).unwrap_or(u32::MAX)
    }

    /// Stops holding a deal; `false` when it was not held.
    #[wasm_bindgen(js_name = removeDeal)]
    pub fn remove_deal(&mut self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> bool {
        self.deals.remove(document_id).is_some()
    }

    /// A summary of every deal held, for boards and lists, ordered by document id. Documents
    /// that cannot be read at all are left out (their `read()` throws the reason).
    pub fn summaries(&self) -> JsResult<Vec<Ts<DealSummary>>> {
        self.read_all()
            .into_iter()
            .map(|deal| DealSummary::from(deal).to_js())
            .collect()
    }

    /// The attention lists (待办与预警) over every deal held at `now` (ms): overdue tasks and
    /// next steps, deals without a next step, stalled deals with every reason. `config`
    /// defaults to 14 days for follow-ups and for the decision-maker grace period.
    pub fn attention(
        &self,
        now: f64,
        config: Option<Ts<AttentionConfig>>,
    ) -> JsResult<Ts<AttentionLists>> {
        let config = match config {
            Some(config) => read::<domain::AttentionConfig, _>(&config, "config")?,
            None => domain::AttentionConfig::default(),
        };
        let deals = self.read_all();
        let pipelines: Vec<domain::Pipeline> = self.pipelines.values().cloned().collect();
        let lists = domain::AttentionLists::compute(
            &deals,
            &pipelines,
            &config,
            domain::Timestamp::from_millis(millis(now)),
            self.offset,
        );
        AttentionLists::from(lists).to_js()
    }

    /// A snapshot of every readable deal and every pipeline held, as bytes for the compute
    /// module (`new Analysis(snapshot, utcOffsetMinutes)`, usually in a Web Worker, to which the
    /// bytes are transferred without a copy): forecasts, ranges, targets and funnels are
    /// computed there, over the same deals core reads here.
    pub fn snapshot(&self) -> JsResult<Vec<u8>> {
        let deals = self.read_all();
        let pipelines: Vec<domain::Pipeline> = self.pipelines.values().cloned().collect();
        crate::snapshot::write(&deals, &pipelines)
    }

    /// The default attention thresholds.
    #[wasm_bindgen(js_name = defaultAttentionConfig)]
    pub fn default_attention_config() -> JsResult<Ts<AttentionConfig>> {
        AttentionConfig::from(domain::AttentionConfig::default()).to_js()
    }
}

impl Workspace {
    /// Every readable deal, in document-id order.
    fn read_all(&self) -> Vec<domain::Deal> {
        let mut reads = self.reads.borrow_mut();
        reads.retain(|id, _| self.deals.contains_key(id));
        let mut deals = Vec::with_capacity(self.deals.len());
        for (id, doc) in &self.deals {
            let heads = doc.heads_core();
            let cached = reads.get(id).filter(|(read_at, _)| *read_at == heads);
            let deal = match cached {
                Some((_, deal)) => deal.clone(),
                None => {
                    let deal = doc.read_core().ok().map(|read| read.deal);
                    reads.insert(id.clone(), (heads, deal.clone()));
                    deal
                }
            };
            deals.extend(deal);
        }
        deals
    }
}
