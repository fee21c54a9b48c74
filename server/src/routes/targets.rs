//! Sales targets (销售目标) the forecast dashboard measures against.
//!
//! - `GET /api/targets?periodKind=month|quarter|year`: the caller's quotas as the forecast's
//!   targets of the deals they see (`group: { kind: "total" }`): an admin's are the
//!   department's, a manager's their team's, a rep's their own. Monthly by default; a quarter's
//!   is the sum of its months, a year's the sum of its twelve (a year with quotas for only some
//!   months has no yearly target).
//!
//! The quotas are the demo data's (`dealflow_core::demo`), stored when the demo is seeded; a
//! data directory seeded without them answers an empty list.

use axum::extract::{Query, State};
use dealflow_core::demo::{DemoTarget, DemoTargetOwner, forecast_targets};
use dealflow_core::{ForecastGroup, PeriodKind, Role};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::demo::TARGETS_KEY;
use crate::error::AppError;
use crate::json::Json;
use crate::state::AppState;
use crate::storage::StorageKey;

/// The query: months or quarters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TargetsQuery {
    /// `month` (the default) or `quarter`.
    #[serde(default)]
    period_kind: Option<PeriodKind>,
}

/// The answer, in the shape the compute module's `attainment` takes (`ForecastTarget`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TargetsDto {
    /// The targets, in period order.
    targets: Vec<TargetDto>,
}

/// One target.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TargetDto {
    /// Always `{ "kind": "total" }`: the caller's whole scope.
    group: GroupDto,
    /// `"2026-03"` or `"2026-Q1"`.
    period: String,
    /// The quota.
    amount: MoneyDto,
}

/// A forecast group.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroupDto {
    /// `total`.
    kind: String,
}

/// An amount in minor units.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MoneyDto {
    /// Minor units (fen).
    minor: i64,
    /// ISO 4217 code.
    currency: String,
}

/// `GET /api/targets`.
pub(super) async fn targets(
    State(state): State<AppState>,
    caller: AuthUser,
    Query(query): Query<TargetsQuery>,
) -> Result<Json<TargetsDto>, AppError> {
    let key = StorageKey::new([TARGETS_KEY])?;
    let Some(bytes) = state.storage.load(&key).await? else {
        return Ok(Json(TargetsDto {
            targets: Vec::new(),
        }));
    };
    let stored: Vec<DemoTarget> =
        serde_json::from_slice(&bytes).map_err(|error| AppError::Internal {
            detail: format!("the stored demo targets are unreadable: {error}"),
        })?;
    let user = &caller.user;
    let owner = match (user.role, &user.team) {
        (Role::Rep, _) | (_, None) => DemoTargetOwner::Rep(user.id.clone()),
        (_, Some(team)) => DemoTargetOwner::Team(team.clone()),
    };
    let kind = query.period_kind.unwrap_or(PeriodKind::Month);
    let targets = forecast_targets(&stored, &owner, &ForecastGroup::Total, kind)?
        .into_iter()
        .map(|target| TargetDto {
            group: GroupDto {
                kind: "total".to_owned(),
            },
            period: target.period.to_string(),
            amount: MoneyDto {
                minor: target.amount.minor(),
                currency: target.amount.currency().code().to_owned(),
            },
        })
        .collect();
    Ok(Json(TargetsDto { targets }))
}
