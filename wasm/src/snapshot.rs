//! The snapshot that carries deals from the main module to the compute module: the deals and
//! pipelines as core reads them, serialized with core's own serde derives.
//!
//! The two modules are separate wasm instances (the compute module runs in a Web Worker), so
//! values cross between them as bytes; a `Uint8Array` is transferred to the worker without a
//! copy. Both modules are built from this crate, so the encoding exists once, here.

use dealflow_core as domain;
use serde::{Deserialize, Serialize};

use crate::error::{Failure, JsResult};

/// The snapshot format's version; a module refuses a snapshot of another version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct SnapshotOut<'a> {
    version: u32,
    deals: &'a [domain::Deal],
    pipelines: &'a [domain::Pipeline],
}

#[derive(Deserialize)]
struct SnapshotIn {
    version: u32,
    deals: Vec<domain::Deal>,
    pipelines: Vec<domain::Pipeline>,
}

/// The snapshot of `deals` and `pipelines`.
#[cfg(feature = "documents")]
pub(crate) fn write(deals: &[domain::Deal], pipelines: &[domain::Pipeline]) -> JsResult<Vec<u8>> {
    serde_json::to_vec(&SnapshotOut {
        version: VERSION,
        deals,
        pipelines,
    })
    .map_err(|error| Failure::Input(format!("the deals could not be written: {error}")))
}

/// The deals and pipelines of a snapshot.
#[cfg(feature = "compute")]
pub(crate) fn read(bytes: &[u8]) -> JsResult<(Vec<domain::Deal>, Vec<domain::Pipeline>)> {
    let snapshot: SnapshotIn = serde_json::from_slice(bytes).map_err(|error| {
        Failure::Input(format!(
            "the snapshot is not one written by Workspace.snapshot(): {error}"
        ))
    })?;
    if snapshot.version != VERSION {
        return Err(Failure::Input(format!(
            "the snapshot has version {}, this module reads version {VERSION}: load both modules from the same build",
            snapshot.version
        )));
    }
    Ok((snapshot.deals, snapshot.pipelines))
}
