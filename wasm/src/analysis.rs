//! The `Analysis` class: the compute module's computations over a snapshot of deals.

use std::collections::BTreeMap;

use dealflow_core as domain;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::convert::{ToJs, millis, read, read_name};
use crate::dto::{
    DealHealth, ForecastTable, ForecastTarget, FunnelReport, PeriodKind, RevenueRange,
    SimulatedModel, TargetAttainment, utc_offset,
};
use crate::error::{Failure, JsResult};

/// The most trials a range may ask for from the browser (core accepts up to a million).
const DEFAULT_TRIALS: u32 = 10_000;

/// Forecasts, revenue ranges, targets, funnels and deal health (销售预测与分析) over a snapshot of the deals
/// a client holds: the compute module's one class, meant to run in a Web Worker so that heavy
/// computations never block the page.
///
/// The snapshot comes from the main module (`Workspace.snapshot()`): the deals and pipelines
/// as core reads them from their documents, so both modules compute over the same values.
///
/// @example
/// ```ts
/// const analysis = new Analysis(workspace.snapshot(), 480);
/// analysis.learnWinRates(Date.now() - 365 * 86_400_000, Date.now());
/// const table = analysis.forecast("CNY", "month");
/// const range = analysis.range("CNY", "month", "2026-03", "best_practice", 10_000, 7);
/// console.log(range.p10.minor <= range.p50.minor);
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Analysis {
    offset: time::UtcOffset,
    /// The snapshot's deals and core's columnar table over them, built once: win rates and
    /// every forecast read the table (3–6× faster than reading the deals each time).
    deals: HeldDeals,
    pipelines: Vec<domain::Pipeline>,
    /// Historical stage win rates per pipeline, for the best-practice model.
    win_rates: Vec<domain::StageWinRates>,
}

#[wasm_bindgen]
impl Analysis {
    /// Reads a snapshot of deals (from `Workspace.snapshot()`) for an organisation
    /// `utcOffsetMinutes` east of UTC (480 for China).
    #[wasm_bindgen(constructor)]
    pub fn new(
        snapshot: &[u8],
        #[wasm_bindgen(js_name = utcOffsetMinutes)] utc_offset_minutes: i32,
    ) -> JsResult<Analysis> {
        let (deals, pipelines) = crate::snapshot::read(snapshot)?;
        Ok(Analysis {
            offset: utc_offset(utc_offset_minutes)?,
            deals: HeldDeals::new(deals, |deals| domain::DealTable::new(deals)),
            pipelines,
            win_rates: Vec::new(),
        })
    }

    /// How many deals the snapshot holds.
    #[wasm_bindgen(getter, js_name = dealCount)]
    pub fn deal_count(&self) -> u32 {
        u32::try_from(self.deals.borrow_owner().len()).unwrap_or(u32::MAX)
    }

    /// Learns each pipeline's stage win rates from the deals that entered a stage between
    /// `from` and `to` (ms); the best-practice model uses them where a deal has no learned
    /// probability. Stages with few deals lean on the stage's configured probability.
    #[wasm_bindgen(js_name = learnWinRates)]
    pub fn learn_win_rates(&mut self, from: f64, to: f64) -> JsResult<()> {
        let window = domain::TimeWindow::new(
            domain::Timestamp::from_millis(millis(from)),
            domain::Timestamp::from_millis(millis(to)),
        )
        .map_err(domain::Error::from)?;
        let table = self.deals.borrow_dependent();
        self.win_rates = self
            .pipelines
            .iter()
            .map(|pipeline| table.stage_win_rates(pipeline, window, PRIOR_STRENGTH))
            .collect::<Result<_, _>>()
            .map_err(domain::Error::from)?;
        Ok(())
    }

    /// The forecast (销售预测): the four models (best practice, rep commit, stage weight,
    /// manual weight) by period, rep, team and pipeline, in `currency`.
    pub fn forecast(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CurrencyCode")] currency: &str,
        #[wasm_bindgen(js_name = periodKind, unchecked_param_type = "PeriodKind")]
        period_kind: &JsValue,
    ) -> JsResult<Ts<ForecastTable>> {
        let settings = self.settings(currency, period_kind)?;
        let teams = BTreeMap::<domain::TeamId, domain::TeamId>::new();
        let forecast = self.forecast_with(&teams, &settings)?;
        ForecastTable::from(&forecast).to_js()
    }

    /// The P10 / P50 / P90 range of the company's revenue in `period` (`"2026-03"` or
    /// `"2026-Q1"`, matching `periodKind`) from a Monte Carlo simulation of `trials` trials
    /// (10,000 when left out) with `seed` (the same seed gives the same range).
    pub fn range(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CurrencyCode")] currency: &str,
        #[wasm_bindgen(js_name = periodKind, unchecked_param_type = "PeriodKind")]
        period_kind: &JsValue,
        period: &str,
        #[wasm_bindgen(unchecked_param_type = "SimulatedModel")] model: &JsValue,
        trials: Option<u32>,
        seed: u32,
    ) -> JsResult<Ts<RevenueRange>> {
        let settings = self.settings(currency, period_kind)?;
        let model: SimulatedModel = read_name(model, "model")?;
        let period = parse_period(period)?;
        let teams = BTreeMap::<domain::TeamId, domain::TeamId>::new();
        let forecast = self.forecast_with(&teams, &settings)?;
        let simulation = domain::SimulationSettings {
            trials: trials.unwrap_or(DEFAULT_TRIALS),
            seed: u64::from(seed),
        };
        let range = forecast
            .simulate(
                period,
                &domain::ForecastGroup::Total,
                model.into(),
                simulation,
            )
            .map_err(domain::Error::from)?;
        RevenueRange::new(period, &range, seed).to_js()
    }

    /// How far each target is met: won so far and each model's forecast against the quota.
    /// Quarterly targets sum their months in a monthly forecast.
    pub fn attainment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CurrencyCode")] currency: &str,
        #[wasm_bindgen(js_name = periodKind, unchecked_param_type = "PeriodKind")]
        period_kind: &JsValue,
        targets: Vec<Ts<ForecastTarget>>,
    ) -> JsResult<Vec<Ts<TargetAttainment>>> {
        let settings = self.settings(currency, period_kind)?;
        let targets = targets
            .into_iter()
            .map(|target| read::<domain::Target, _>(&target, "targets[]"))
            .collect::<JsResult<Vec<_>>>()?;
        let teams = BTreeMap::<domain::TeamId, domain::TeamId>::new();
        let forecast = self.forecast_with(&teams, &settings)?;
        forecast
            .attainment(&targets, &settings.rates)
            .map_err(domain::Error::from)?
            .iter()
            .map(|attainment| TargetAttainment::from(attainment).to_js())
            .collect()
    }

    /// The funnel conversion (销售漏斗转化) of `pipeline` over every deal held at `now` (ms),
    /// in `currency`, with the bottleneck: the stage of lowest conversion among decided deals.
    pub fn funnel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CurrencyCode")] currency: &str,
        pipeline: &str,
        now: f64,
    ) -> JsResult<Ts<FunnelReport>> {
        let currency = currency.parse::<domain::Currency>()?;
        let pipeline = self
            .pipelines
            .iter()
            .find(|held| held.id.as_str() == pipeline)
            .ok_or_else(|| {
                Failure::Input(format!("pipeline {pipeline:?} is not in the snapshot"))
            })?;
        let set = domain::analytics::DealSet::new(
            self.deals.borrow_owner().clone(),
            domain::ExchangeRates::new(currency),
        )
        .map_err(domain::Error::from)?;
        let teams = BTreeMap::<domain::TeamId, domain::TeamId>::new();
        let context = domain::analytics::ReportContext::new(
            &teams,
            self.offset,
            domain::Timestamp::from_millis(millis(now)),
        );
        let report =
            domain::analytics::funnel(&set, pipeline, &domain::analytics::Filter::all(), &context)
                .map_err(domain::Error::from)?;
        FunnelReport::from(&report).to_js()
    }
}

#[wasm_bindgen]
impl Analysis {
    /// The health (商机健康度) of every open deal at `now` (ms), lowest score first, each with
    /// its findings and the next best action.
    pub fn health(&self, now: f64) -> JsResult<Vec<Ts<DealHealth>>> {
        let now = domain::Timestamp::from_millis(millis(now));
        let settings = domain::HealthSettings::default();
        let mut reports: Vec<DealHealth> = self
            .deals
            .borrow_owner()
            .iter()
            .filter_map(|deal| {
                let pipeline = self
                    .pipelines
                    .iter()
                    .find(|pipeline| pipeline.id == deal.pipeline)?;
                let report = domain::deal_health(deal, pipeline, now, self.offset, &settings)?;
                Some(DealHealth::new(&deal.id, &report))
            })
            .collect();
        reports.sort_by_key(|report| report.score);
        reports.iter().map(ToJs::to_js).collect()
    }
}

/// How many deals' worth of weight a stage's configured probability carries against its
/// history when learning win rates.
const PRIOR_STRENGTH: u32 = 10;

impl Analysis {
    fn settings(
        &self,
        currency: &str,
        period_kind: &JsValue,
    ) -> JsResult<domain::ForecastSettings> {
        let currency = currency.parse::<domain::Currency>()?;
        let period_kind: PeriodKind = read_name(period_kind, "periodKind")?;
        Ok(domain::ForecastSettings::new(
            domain::ExchangeRates::new(currency),
            self.offset,
            period_kind.into(),
        ))
    }

    /// The four models over the held table.
    fn forecast_with<'a>(
        &'a self,
        teams: &'a BTreeMap<domain::TeamId, domain::TeamId>,
        settings: &domain::ForecastSettings,
    ) -> JsResult<domain::Forecast<'a>> {
        Ok(self
            .deals
            .borrow_dependent()
            .forecast(&self.pipelines, teams, &self.win_rates, settings)
            .map_err(domain::Error::from)?)
    }
}

self_cell::self_cell!(
    /// The snapshot's deals and the columnar table that borrows them.
    struct HeldDeals {
        owner: Vec<domain::Deal>,
        #[covariant]
        dependent: DealTable,
    }
    impl {Debug}
);

type DealTable<'a> = domain::DealTable<'a>;

fn parse_period(period: &str) -> JsResult<domain::Period> {
    Ok(period
        .parse::<domain::Period>()
        .map_err(domain::Error::from)?)
}
