//! `--state FILE`: sends and the CorrelationID memory survive a restart; the file is JSON,
//! written atomically; a corrupt file is an error, not silently replaced.
#[path = "support/mod.rs"]
mod sandbox_support;

use sandbox_support::*;
use sfmc_partnerapi_sandbox::{SandboxError, SendStatus};

#[tokio::test]
async fn state_survives_a_restart() -> R {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sandbox-state.json");

    let sb = two_accounts()
        .state_file(&path)
        .start("127.0.0.1:0")
        .await?;
    assert!(path.exists(), "written at start");
    let tok = token(&sb, "a", "secret-a").await?;
    let first = perform(&sb, &tok, "cancel", &[(100, Some("persisted-corr"))]).await?;
    assert_eq!(first.overall_status, "OK");
    assert_eq!(
        perform(&sb, &tok, "pause", &[(101, None)])
            .await?
            .overall_status,
        "OK"
    );
    sb.shutdown().await;

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    assert_eq!(json["version"], 1);
    assert!(json["sends"].as_array().is_some_and(|s| s.len() == 6));
    // Only the state file is left in the folder (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
    // No credential is stored.
    let text = std::fs::read_to_string(&path)?;
    assert!(!text.contains("secret-a") && !text.contains(&tok));

    // Restart with the same configuration: the file wins over the configured statuses.
    let sb = two_accounts()
        .send(300, SendStatus::Scheduled, MID_A)
        .state_file(&path)
        .start("127.0.0.1:0")
        .await?;
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Paused));
    assert_eq!(
        status_of(&sb, 300),
        Some(SendStatus::Scheduled),
        "new sends are added"
    );
    let tok = token(&sb, "a", "secret-a").await?;
    // The CorrelationID memory survived too.
    let again = perform(&sb, &tok, "cancel", &[(100, Some("persisted-corr"))]).await?;
    assert_eq!(results(&again), results(&first));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_corrupt_or_unwritable_state_file_is_an_error() -> R {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{ not json")?;
    let err = two_accounts()
        .state_file(&path)
        .start("127.0.0.1:0")
        .await
        .err();
    assert!(matches!(err, Some(SandboxError::State { .. })), "{err:?}");
    assert_eq!(std::fs::read_to_string(&path)?, "{ not json", "left alone");

    let missing_dir = dir.path().join("no/such/dir/state.json");
    let err = two_accounts()
        .state_file(&missing_dir)
        .start("127.0.0.1:0")
        .await
        .err();
    assert!(matches!(err, Some(SandboxError::State { .. })), "{err:?}");
    Ok(())
}
