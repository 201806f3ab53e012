//! An application's test against the sandbox, as the README shows it ("Testing your integration
//! with the sandbox"): the application depends on `sfmc-partnerapi`, and on
//! `sfmc-partnerapi-sandbox` and `tokio` (`macros`, `rt-multi-thread`) as dev-dependencies.
//! Everything above the line `// Not in the README` is the README's block, character for
//! character (checked below).

use sfmc_partnerapi::Client;
use sfmc_partnerapi_sandbox::{Sandbox, SendStatus};

#[tokio::test]
async fn cancels_a_scheduled_send() -> Result<(), Box<dyn std::error::Error>> {
    // One account (MID 12345) with one client and two sends, on a free loopback port.
    let sandbox = Sandbox::builder()
        .client("app-client", "app-secret", 12345)
        .send(29605, SendStatus::Scheduled, 12345)
        .send(29609, SendStatus::Sent, 12345)
        .start("127.0.0.1:0")
        .await?;
    let client = Client::builder()
        .endpoint(sandbox.soap_url())
        .auth_url(sandbox.base_url())
        .client_credentials("app-client", "app-secret")
        .no_proxy()
        .build()?;

    let outcome = client.cancel_send(29605).await?;
    assert!(outcome.ok, "{outcome:?}");
    // A send that went out already cannot be canceled: an outcome, not an Err.
    let outcome = client.cancel_send(29609).await?;
    assert!(!outcome.ok, "{outcome:?}");

    // The sandbox's state is what the service's would be.
    let status = |id| sandbox.state().send(id).map(|send| send.status);
    assert_eq!(status(29605), Some(SendStatus::Canceled));
    assert_eq!(status(29609), Some(SendStatus::Sent));
    sandbox.shutdown().await;
    Ok(())
}

// Not in the README: the check that the README shows this file's code.

#[test]
fn the_readme_shows_this_test() {
    let this = include_str!("app_test.rs");
    let code: String = this
        .lines()
        .skip_while(|line| line.starts_with("//!") || line.is_empty())
        .take_while(|line| !line.starts_with("// Not in the README"))
        .map(|line| format!("{line}\n"))
        .collect();
    let readme = include_str!("../../README.md");
    let block = format!("```rust,ignore\n{}```\n", code.trim_end().to_owned() + "\n");
    assert!(
        readme.contains(&block),
        "README.md must show sandbox/tests/app_test.rs (up to `// Not in the README`) as a \
         `rust,ignore` block:\n{block}"
    );
}
