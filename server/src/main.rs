use clap::Parser;
use dealflow_server::Config;

fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = config.worker_threads {
        runtime.worker_threads(threads.get());
    }
    runtime.build()?.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    dealflow_server::observability::init_logging(config.log_format);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let worker_threads = tokio::runtime::Handle::current().metrics().num_workers();
    tracing::info!(%address, worker_threads, "dealflow-server listening");
    // Tests and scripts wait for this exact line to learn the (possibly ephemeral) port.
    println!("dealflow-server listening on http://{address}");
    dealflow_server::run(listener, config, shutdown_signal()).await?;
    tracing::info!("dealflow-server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
