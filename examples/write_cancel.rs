//! Prints the cancel request envelope for send 29605 (static token `TOKEN`).
use sfmc_partnerapi::soap::{write_envelope, RequestHeader};
use sfmc_partnerapi::types::{PerformOptions, PerformRequestMsg, Send};

fn main() {
    let token = secrecy::SecretString::from("TOKEN".to_string());
    let request = PerformRequestMsg {
        options: Some(PerformOptions::default().into()),
        action: Some("cancel".into()),
        definitions: vec![Send {
            id: Some(29605),
            ..Default::default()
        }
        .into()],
    };
    println!(
        "{}",
        write_envelope(&RequestHeader::FuelOAuth(&token), &request)
    );
}
