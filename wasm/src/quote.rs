//! The `Quote` class.

use dealflow_core as domain;
use tsify::Ts;

use crate::convert::{ToJs, millis, read};
use wasm_bindgen::prelude::*;

use crate::dto::{
    ApprovalPolicy, NewQuote, QuoteCommand, QuoteContext, QuoteData, QuoteEvent, QuoteStatus,
    QuoteTotals, utc_offset,
};
use crate::error::JsResult;

/// A quote (报价单) on a deal: one revision with its lines, discounts, tax, validity date,
/// approval state and log. It changes only through `decide`, a compare-and-set on `version`;
/// the server runs the same decision authoritatively (approval levels come from it).
///
/// @example
/// ```ts
/// const quote = Quote.create(
///   { id: "q-1", deal: "deal-1", owner: "rep-li", currency: "CNY", validUntil: "2026-03-31", taxBasis: "exclusive" },
///   Date.now(),
/// );
/// const rep = { user: "rep-li", level: 0, now: Date.now(), utcOffsetMinutes: 480 };
/// quote.decide({ expectedVersion: quote.version, action: { action: "edit", edit: { edit: "set_line", line } } }, policy, rep);
/// const event = quote.decide({ expectedVersion: quote.version, action: { action: "submit" } }, policy, rep);
/// // event.event.kind === "submitted"; quote.totals().total is what the customer pays
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Quote {
    inner: domain::Quote,
}

#[wasm_bindgen]
impl Quote {
    /// An empty draft (revision 1, version 1) created by its owner at `now` (ms).
    pub fn create(quote: &Ts<NewQuote>, now: f64) -> JsResult<Quote> {
        let new = read::<domain::NewQuote, _>(quote, "quote")?;
        Ok(Quote {
            inner: domain::Quote::new(new, domain::Timestamp::from_millis(millis(now))),
        })
    }

    /// A quote from its data (e.g. as the server sent it).
    #[wasm_bindgen(js_name = fromData)]
    pub fn from_data(data: &Ts<QuoteData>) -> JsResult<Quote> {
        Ok(Quote {
            inner: read::<domain::Quote, _>(data, "data")?,
        })
    }

    /// The quote's data.
    pub fn data(&self) -> JsResult<Ts<QuoteData>> {
        QuoteData::from(self.inner.clone()).to_js()
    }

    /// The concurrency version every command must name.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        // Versions count commands on one quote; they stay far below 2^53.
        self.inner.version as f64
    }

    /// Applies a command as `ctx.user` at approval level `ctx.level`: on success the quote
    /// changes and the logged event is returned; otherwise it throws (e.g. `stale_quote`,
    /// `insufficient_approval_level`) and nothing changes.
    pub fn decide(
        &mut self,
        command: &Ts<QuoteCommand>,
        policy: &Ts<ApprovalPolicy>,
        ctx: &Ts<QuoteContext>,
    ) -> JsResult<Ts<QuoteEvent>> {
        let command = read::<domain::QuoteCommand, _>(command, "command")?;
        let policy = read::<domain::ApprovalPolicy, _>(policy, "policy")?;
        let ctx = read::<domain::QuoteContext, _>(ctx, "ctx")?;
        let (quote, event) = self.inner.decide(&command, &policy, &ctx)?;
        self.inner = quote;
        QuoteEvent::from(event).to_js()
    }

    /// The figures: per line and summed (rounded per line, half away from zero).
    pub fn totals(&self) -> JsResult<Ts<QuoteTotals>> {
        QuoteTotals::from(self.inner.totals()?).to_js()
    }

    /// The status as users should see it at `now` (an approved or sent quote past its validity
    /// date shows as expired).
    #[wasm_bindgen(js_name = statusAt)]
    pub fn status_at(
        &self,
        now: f64,
        #[wasm_bindgen(js_name = utcOffsetMinutes)] utc_offset_minutes: i32,
    ) -> JsResult<Ts<QuoteStatus>> {
        let status = self.inner.status_at(
            domain::Timestamp::from_millis(millis(now)),
            utc_offset(utc_offset_minutes)?,
        );
        QuoteStatus::from(status).to_js()
    }

    /// A new revision copying this one as a draft (revision + 1, version 1). Close this one with
    /// a `supersede` command.
    pub fn revise(&self, id: &str, by: &str, now: f64) -> JsResult<Quote> {
        let revised = self.inner.revise(
            crate::dto::id(id.to_owned())?,
            crate::dto::id(by.to_owned())?,
            domain::Timestamp::from_millis(millis(now)),
        )?;
        Ok(Quote { inner: revised })
    }
}
