//! The API surface of the bindings in use, and the diff of an edited copy of the shipped WSDL,
//! through `sfmc wsdl-surface` and `sfmc wsdl-diff --json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use sfmc_partnerapi::types::API_SURFACE;

/// `sfmc ARGS`: exit code and stdout.
fn sfmc(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sfmc"))
        .args(args)
        .env_remove("SFMC_JSON")
        .output()
        .unwrap_or_else(|e| panic!("cannot run sfmc: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn surface_of(wsdl: &Path) -> String {
    let (code, text) = sfmc(&["wsdl-surface".as_ref(), wsdl.as_os_str()]);
    assert_eq!(code, Some(0), "{}", wsdl.display());
    text
}

/// `(what, impact)` of each change `sfmc --json wsdl-diff OLD NEW` reports, and its exit code.
fn diff(old: &Path, new: &Path) -> (Option<i32>, Vec<(String, String)>) {
    let (code, text) = sfmc(&[
        "--json".as_ref(),
        "wsdl-diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let changes = v["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["impact"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (code, changes)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn built_from() -> PathBuf {
    std::env::var_os("PARTNERAPI_WSDL")
        .map_or_else(|| root().join("wsdl/partnerAPI.wsdl"), PathBuf::from)
}

#[test]
fn the_built_in_surface_is_the_surface_of_the_wsdl_built_from() {
    let surface = surface_of(&built_from());
    assert_eq!(surface, API_SURFACE);
    assert_eq!(sfmc(&["wsdl-surface".as_ref()]).1, API_SURFACE);
    assert!(API_SURFACE.contains(
        "operation Perform soapAction=Perform input=PerformRequestMsg output=PerformResponseMsg"
    ));
    assert!(API_SURFACE.contains("field APIObject.ID xs:int [0..1]"));
    assert!(API_SURFACE.contains("type Send complex base=APIObject"));
    // What a Retrieve of the bulk object types needs, with any of the WSDLs built from.
    for line in [
        "field RetrieveRequest.ContinueRequest xs:string [0..1]",
        "field SimpleFilterPart.DateValue xs:dateTime [0..*]",
        "field Subscriber.Status SubscriberStatus [0..1]",
        "field Subscriber.Attributes Attribute [0..*]",
        "type DataExtensionObject complex base=ObjectExtension",
        "field ClickEvent.URLID xs:int [0..1]",
        "field BounceEvent.SMTPCode xs:string [0..1]",
        "enum SimpleOperators value=lessThanAnniversary",
    ] {
        assert!(API_SURFACE.contains(line), "{line}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn diff_of_an_edited_copy_marks_breaking_and_additive_changes() {
    let shipped = std::fs::read_to_string(root().join("wsdl/partnerAPI.wsdl")).unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("sfmc-surface-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        root().join("wsdl/ETFrameworkFault.xsd"),
        dir.join("ETFrameworkFault.xsd"),
    )
    .ok();
    let old = write(&dir, "old.wsdl", &shipped);
    let edited = shipped
        .replacen("<xs:enumeration value=\"like\"/>", "", 1)
        .replacen(
            "<xs:element name=\"ObjectState\" type=\"xs:string\" minOccurs=\"0\"/>",
            "<xs:element name=\"ObjectState\" type=\"xs:string\" minOccurs=\"0\"/><xs:element name=\"Region\" type=\"xs:string\" minOccurs=\"0\"/>",
            1,
        );
    assert_ne!(edited, shipped, "the edits must apply to the shipped WSDL");
    let new = write(&dir, "new.wsdl", &edited);
    let (code, changes) = diff(&old, &new);
    let _ = std::fs::remove_dir_all(&dir);
    let find = |name: &str| {
        changes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| i.as_str())
    };
    assert_eq!(
        find("SimpleOperators.like"),
        Some("breaking"),
        "{changes:?}"
    );
    assert_eq!(find("APIObject.Region"), Some("additive"), "{changes:?}");
    assert_eq!(code, Some(1));
    let (same_code, same) = diff(&built_from(), &built_from());
    assert_eq!((same_code, same.len()), (Some(0), 0));
}
