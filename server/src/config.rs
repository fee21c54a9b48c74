//! Server configuration from flags and environment.

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::str::FromStr;

use axum::http::{HeaderValue, Uri};
use clap::ArgAction;
use clap::builder::BoolishValueParser;

use crate::auth::{MIN_SECRET_BYTES, PublicKeyAlgorithm};

const MIB: usize = 1024 * 1024;

/// How the relay is run. Every flag also reads a `DEALFLOW_*` environment variable.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "dealflow-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "DEALFLOW_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory holding the embedded database.
    #[arg(long, env = "DEALFLOW_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Directory of the built web demo served at `/`.
    #[arg(long, env = "DEALFLOW_WEB_DIR", default_value = "./web/dist")]
    pub web_dir: PathBuf,
    /// Shared secret (at least 32 bytes) for HS256 tokens minted by an embedding portal.
    #[arg(
        long,
        env = "DEALFLOW_TOKEN_SECRET",
        hide_env_values = true,
        conflicts_with = "token_public_key"
    )]
    pub token_secret: Option<TokenSecret>,
    /// PEM file with the public key that verifies the portal's tokens (see --token-algorithm).
    #[arg(long, env = "DEALFLOW_TOKEN_PUBLIC_KEY")]
    pub token_public_key: Option<PathBuf>,
    /// Signature algorithm of tokens verified with --token-public-key.
    #[arg(
        long,
        env = "DEALFLOW_TOKEN_ALGORITHM",
        value_enum,
        default_value = "rs256"
    )]
    pub token_algorithm: PublicKeyAlgorithm,
    /// Require tokens to carry this `iss` claim.
    #[arg(long, env = "DEALFLOW_TOKEN_ISSUER")]
    pub token_issuer: Option<String>,
    /// Require tokens to carry this `aud` claim.
    #[arg(long, env = "DEALFLOW_TOKEN_AUDIENCE")]
    pub token_audience: Option<String>,
    /// Turn on the development login, which mints tokens for the seeded demo users. Never in
    /// production.
    #[arg(
        long,
        env = "DEALFLOW_DEV_LOGIN",
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    pub dev_login: bool,
    /// Seed an empty data directory with demo data generated from this seed (42 when the flag
    /// has no value): a year of deals, the pipelines and who owns what. A directory that holds
    /// documents is never reseeded.
    #[arg(long, env = "DEALFLOW_DEMO_SEED", num_args = 0..=1, default_missing_value = "42")]
    pub demo_seed: Option<u64>,
    /// How many deals `--demo-seed` generates.
    #[arg(long, env = "DEALFLOW_DEMO_DEALS", default_value_t = 300)]
    pub demo_deals: usize,
    /// Log format: human-readable or one JSON object per line. The level comes from `RUST_LOG`.
    #[arg(
        long,
        env = "DEALFLOW_LOG_FORMAT",
        value_enum,
        default_value = "pretty"
    )]
    pub log_format: LogFormat,
    /// An origin whose pages may call the HTTP API from a browser (`https://portal.example.com`),
    /// for embedding in a portal on another origin; repeat the flag for several, or separate
    /// them with commas in the environment variable. Default: none, so no CORS headers are
    /// sent. The WebSocket is not subject to CORS.
    #[arg(
        long = "cors-origin",
        env = "DEALFLOW_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = parse_origin
    )]
    pub cors_origins: Vec<HeaderValue>,
    /// Threads that serve connections and documents (the SQLite writer has its own). Default:
    /// one per CPU core. On a small machine shared with other busy processes, fewer threads
    /// pass work between cores less often: one used 16-20 % less CPU per delivery than two at
    /// 1,000 clients on 2 cores (BENCHMARKS.md).
    #[arg(long, env = "DEALFLOW_WORKER_THREADS")]
    pub worker_threads: Option<NonZeroUsize>,
    /// Size and rate limits.
    #[command(flatten)]
    pub limits: Limits,
    /// Lead pools and quote approval.
    #[command(flatten)]
    pub arbitration: crate::arbitration::ArbitrationConfig,
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after.
fn parse_origin(text: &str) -> Result<HeaderValue, String> {
    let refuse = || {
        format!(
            "{text:?} is not an origin: give the scheme, host and port only, as in https://portal.example.com"
        )
    };
    let uri: Uri = text.parse().map_err(|_| refuse())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let bare = uri.path_and_query().is_none_or(|rest| rest.as_str() == "/") && !text.ends_with('/');
    match uri.authority() {
        Some(authority) if scheme_ok && bare && authority.as_str().rfind('@').is_none() => {
            HeaderValue::from_str(text).map_err(|_| refuse())
        }
        _ => Err(refuse()),
    }
}

/// How logs are written.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Limits against bad or hostile clients.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::Args)]
pub struct Limits {
    /// Largest WebSocket frame accepted, in bytes.
    #[arg(long, env = "DEALFLOW_MAX_FRAME_BYTES", default_value_t = 4 * MIB)]
    pub max_frame_bytes: usize,
    /// Largest WebSocket message (reassembled from frames) accepted, in bytes.
    #[arg(long, env = "DEALFLOW_MAX_MESSAGE_BYTES", default_value_t = 8 * MIB)]
    pub max_message_bytes: usize,
    /// Most documents one connection may have open.
    #[arg(
        long,
        env = "DEALFLOW_MAX_DOCUMENTS_PER_CONNECTION",
        default_value_t = 1000
    )]
    pub max_documents_per_connection: usize,
    /// Sustained messages per second one connection may send.
    #[arg(long, env = "DEALFLOW_RATE_LIMIT_PER_SECOND", default_value_t = 100)]
    pub rate_limit_per_second: u32,
    /// Messages one connection may send in a burst above the sustained rate.
    #[arg(long, env = "DEALFLOW_RATE_LIMIT_BURST", default_value_t = 500)]
    pub rate_limit_burst: u32,
    /// Largest total size of one document's stored chunks, in bytes.
    #[arg(long, env = "DEALFLOW_MAX_DOCUMENT_BYTES", default_value_t = 64 * MIB)]
    pub max_document_bytes: usize,
    /// Largest size a compressed chunk may inflate to, in bytes.
    #[arg(long, env = "DEALFLOW_MAX_DECOMPRESSED_BYTES", default_value_t = 256 * MIB)]
    pub max_decompressed_bytes: usize,
    /// Largest single value written to storage, in bytes.
    #[arg(long, env = "DEALFLOW_MAX_VALUE_BYTES", default_value_t = 64 * MIB)]
    pub max_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: 4 * MIB,
            max_message_bytes: 8 * MIB,
            max_documents_per_connection: 1000,
            rate_limit_per_second: 100,
            rate_limit_burst: 500,
            max_document_bytes: 64 * MIB,
            max_decompressed_bytes: 256 * MIB,
            max_value_bytes: 64 * MIB,
        }
    }
}

/// A token secret: at least [`MIN_SECRET_BYTES`] bytes, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The secret's bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl FromStr for TokenSecret {
    type Err = String;

    fn from_str(secret: &str) -> Result<Self, Self::Err> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the token secret is {} bytes: use at least {MIN_SECRET_BYTES} random bytes",
                secret.len()
            ));
        }
        Ok(TokenSecret(secret.to_owned()))
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("dealflow-server").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_match_limits_default() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn secrets_are_checked_and_never_printed() {
        assert!(parse(&["--token-secret", "short"]).is_err());
        let secret = "a-secret-of-at-least-thirty-two-bytes";
        let config = parse(&["--token-secret", secret]).unwrap();
        assert_eq!(
            config.token_secret.as_ref().map(TokenSecret::expose),
            Some(secret.as_bytes())
        );
        assert!(!format!("{config:?}").contains(secret));
        assert!(parse(&["--token-secret", secret, "--token-public-key", "key.pem"]).is_err());
    }

    #[test]
    fn demo_seed_takes_an_optional_value() {
        assert_eq!(parse(&[]).unwrap().demo_seed, None);
        assert_eq!(parse(&["--demo-seed"]).unwrap().demo_seed, Some(42));
        let config = parse(&["--demo-seed=7", "--demo-deals", "40"]).unwrap();
        assert_eq!((config.demo_seed, config.demo_deals), (Some(7), 40));
    }

    #[test]
    fn flags_parse() {
        let config = parse(&[
            "--dev-login",
            "--log-format",
            "json",
            "--token-algorithm",
            "eddsa",
            "--max-frame-bytes",
            "1024",
        ])
        .unwrap();
        assert!(config.dev_login);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.token_algorithm, PublicKeyAlgorithm::EdDsa);
        assert_eq!(config.limits.max_frame_bytes, 1024);
    }
}
