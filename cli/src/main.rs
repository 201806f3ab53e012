//! `sfmc`: the partnerAPI from the command line, and the local sandbox.
//!
//! A thin shell over the library: argument parsing ([`args`]), output and exit codes
//! ([`output`]); chunking, stop rules, statuses, masking and dry runs are the library's.
//!
//! Exit codes: 0 every ID succeeded; 1 the API answered with an error (a fault or a non-OK
//! status) for any ID; 2 usage or configuration error; 3 transport or protocol error
//! (connection, timeout, HTTP error without a SOAP fault, unreadable response).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

mod args;
mod client;
mod output;
mod perform;
mod retrieve;
mod sandbox;
mod sends;
mod token;
mod wsdl;

use args::{Cli, Command, TokenCommand};
use output::{Failure, EXIT_OK, EXIT_TRANSPORT};

/// mimalloc keeps freed memory for reuse (see the `mimalloc` feature).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0; usage errors exit 2.
        Err(e) => e.exit(),
    };
    token::show_store_warnings();
    // `sfmc sandbox` serves many connections at once: one worker thread per core. `sfmc
    // retrieve` reads the next page on a worker while it prints the current one: two workers.
    // Every other command makes a few requests one after the other: a current-thread runtime
    // does that as fast, without worker threads and their stacks and allocator arenas (peak
    // RSS).
    let mut builder = match cli.command {
        Command::Sandbox(_) => tokio::runtime::Builder::new_multi_thread(),
        Command::Retrieve(_) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sfmc: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_TRANSPORT);
        }
    };
    let json = cli.global.json;
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => {
            failure.report(json);
            failure.code
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    let g = &cli.global;
    match &cli.command {
        Command::Sandbox(args) => return sandbox::serve(args).await,
        Command::WsdlSurface { wsdl } => return wsdl::print_surface(wsdl.as_deref()),
        Command::WsdlDiff { old, new } => return wsdl::print_diff(g.json, old, new),
        Command::Token(TokenCommand::Clear) => return token::clear(g),
        _ => {}
    }
    let demo = client::start_demo(g).await?;
    let code = match client::build(g, demo.as_ref()) {
        Ok(client) => match &cli.command {
            Command::Sends { status } => sends::list_sends(g, &client, status.as_deref()).await,
            Command::Retrieve(args) => retrieve::retrieve(g, &client, args).await,
            Command::Perform {
                action,
                object_type,
                ids,
            } => perform::perform(g, &client, action, object_type, ids).await,
            command => match command.send_action() {
                Some((action, ids)) => sends::send_action(g, &client, action, ids).await,
                None => Ok(EXIT_OK),
            },
        },
        Err(failure) => Err(failure),
    };
    if let Some(running) = demo {
        running.shutdown().await;
    }
    code
}
