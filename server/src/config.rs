//! Server configuration from flags and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

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
}
