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
    // `sfmc sandbox` serves many connections at once: one worker thread per core. Every other
    // command runs on a current-thread runtime: no worker threads, stacks or allocator arenas
    // (peak RSS). `sfmc retrieve` too: the next page's request is sent before the current
    // page's rows are printed (the service prepares it meanwhile), and rows are allocated and
    // freed on one thread, so memory stays flat however many pages (with two workers the
    // allocator's per-thread heaps kept growing for a million rows; see bench/retrieve.sh).
    let mut builder = match cli.command {
        Command::Sandbox(_) => tokio::runtime::Builder::new_multi_thread(),
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
