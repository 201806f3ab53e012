//! The API surface and the WSDL diff as the crate exposes them.

use std::path::{Path, PathBuf};

use sfmc_partnerapi::surface::{diff, surface_of, Impact, API_SURFACE};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn built_from() -> PathBuf {
    std::env::var_os("PARTNERAPI_WSDL")
        .map_or_else(|| root().join("wsdl/partnerAPI.wsdl"), PathBuf::from)
}

#[test]
fn the_built_in_surface_is_the_surface_of_the_wsdl_built_from() {
    let surface = surface_of(&built_from()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(surface, API_SURFACE);
    assert!(API_SURFACE.contains(
        "operation Perform soapAction=Perform input=PerformRequestMsg output=PerformResponseMsg"
    ));
    assert!(API_SURFACE.contains("field APIObject.ID xs:int [0..1]"));
    assert!(API_SURFACE.contains("type Send complex base=APIObject"));
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
    let d = diff(&old, &new).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let find = |name: &str| d.changes.iter().find(|c| c.name == name).map(|c| c.impact);
    assert_eq!(
        find("SimpleOperators.like"),
        Some(Impact::Breaking),
        "{}",
        d.report()
    );
    assert_eq!(
        find("APIObject.Region"),
        Some(Impact::Additive),
        "{}",
        d.report()
    );
    assert!(d.is_breaking());
    assert_eq!(d.summary.types_added + d.summary.types_removed, 0);
    assert!(diff(&built_from(), &built_from())
        .map(|d| d.changes.is_empty())
        .unwrap_or(false));
}
