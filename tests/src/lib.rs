//! Cross-crate and end-to-end tests for Dealflow live in `tests/tests/` (Rust) and
//! `tests/e2e/` (browser, driven by Playwright). This library is intentionally empty.
