//! Generates Rust bindings for the Salesforce Marketing Cloud SOAP partnerAPI from its WSDL, at
//! build time, the way `tonic-build` serves a gRPC crate.
//!
//! The pipeline has three stages: [`wsdl`] reads the WSDL document (quick-xml), [`model`] hands
//! its schema to xsd-parser (parse, resolve, interpret) and condenses the result into the
//! generator's [`Model`], and [`render`] writes compact Rust (syn + quote, prettyplease) against
//! a small XML runtime that lives in the crate using the bindings. [`surface`] and [`diff`]
//! describe a model and compare two of them for maintainers.
//!
//! ```no_run
//! // build.rs
//! let out = std::env::var_os("OUT_DIR").unwrap_or_default();
//! sfmc_partnerapi_codegen::Builder::new()
//!     .wsdl("wsdl/partnerAPI.wsdl")
//!     .api_type("crate::client::Api")
//!     .compile(out)
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```

pub mod diff;
pub mod model;
mod names;
pub mod render;
mod schema_check;
pub mod surface;
pub mod wsdl;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use model::Model;

/// The namespace of the vendor's fault schema, which the upstream WSDL imports from the web.
pub const FAULT_NAMESPACE: &str = "urn:fault.partner.exacttarget.com";

/// File name of the generated bindings in the output directory.
pub const BINDINGS_FILE: &str = "partnerapi.rs";
/// File name of the API surface in the output directory.
pub const SURFACE_FILE: &str = "partnerapi-surface.txt";

/// Why generation failed: which file, where, and what is wrong or unsupported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The WSDL is malformed or lacks something required.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Wsdl {
        /// The WSDL file.
        path: PathBuf,
        /// 1-based line (line breaks counted as XML normalizes them).
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The schema is wrong (a reference to an undeclared type, an unbound prefix), an import
    /// could not be served, or xsd-parser rejected it.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Schema {
        /// The WSDL file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The schema uses a construct these bindings do not support.
    #[error("{}:{line}:{column}: unsupported: {message}", path.display())]
    Unsupported {
        /// The WSDL file.
        path: PathBuf,
        /// 1-based line of the declaration that uses the construct.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// The construct, and what to do.
        message: String,
    },
    /// The configuration is wrong (a bad Rust path, no WSDL given).
    #[error("configuration: {0}")]
    Config(String),
}

/// Configures and runs the generator.
#[derive(Debug, Clone)]
pub struct Builder {
    wsdl: Option<PathBuf>,
    /// Operation names given to the flag setters that must be in the WSDL: (setter, name).
    named_operations: Vec<(&'static str, String)>,
    imports: Vec<(String, model::ImportSource)>,
    config: render::RenderConfig,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

/// Figures about one generation run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Complex types rendered.
    pub complex_types: usize,
    /// Enumerations rendered.
    pub enumerations: usize,
    /// Operations rendered.
    pub operations: usize,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

/// The result of a run: the model, the Rust source, the surface text.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The model the code was rendered from.
    pub model: Model,
    /// The formatted Rust source.
    pub code: String,
    /// The API surface (see [`surface`]).
    pub surface: String,
    /// Figures about the run.
    pub stats: Stats,
}

impl Generated {
    /// Every file the run read (for `cargo:rerun-if-changed`).
    pub fn files_read(&self) -> &[PathBuf] {
        &self.model.files_read
    }

    /// Writes [`BINDINGS_FILE`] and [`SURFACE_FILE`] into `dir`.
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        for (name, text) in [(BINDINGS_FILE, &self.code), (SURFACE_FILE, &self.surface)] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|source| Error::Io { path, source })?;
        }
        Ok(())
    }
}

impl Builder {
    /// A builder with the defaults: runtime at `crate::xml`, errors `crate::Error`, no
    /// operation methods until [`Builder::api_type`] is set, the fault schema namespace
    /// unmapped.
    pub fn new() -> Self {
        Self {
            wsdl: None,
            named_operations: Vec::new(),
            imports: Vec::new(),
            config: render::RenderConfig {
                runtime: "crate::xml".to_string(),
                api_type: None,
                error_type: "crate::Error".to_string(),
                string_type: "::std::string::String".to_string(),
                serde_feature: None,
                read_only: Default::default(),
                idempotent_with_correlation_ids: Default::default(),
            },
        }
    }

    /// The WSDL file to generate from.
    pub fn wsdl(mut self, path: impl Into<PathBuf>) -> Self {
        self.wsdl = Some(path.into());
        self
    }

    /// Serves imports of schema namespace `namespace` from the local file `path` (the build
    /// never fetches from the network).
    pub fn import(mut self, namespace: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.imports
            .push((namespace.into(), model::ImportSource::File(path.into())));
        self
    }

    /// Serves imports of schema namespace `namespace` from schema text held in memory.
    pub fn import_text(mut self, namespace: impl Into<String>, schema: impl Into<String>) -> Self {
        self.imports
            .push((namespace.into(), model::ImportSource::Text(schema.into())));
        self
    }

    /// Path of the XML runtime module the generated code uses.
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.config.runtime = path.into();
        self
    }

    /// The type that gets one async method per operation (it must have one lifetime parameter
    /// and a `call::<O: Operation>(&O::Input) -> Result<O::Output, E>` method, `Operation`
    /// being the generated trait).
    pub fn api_type(mut self, path: impl Into<String>) -> Self {
        self.config.api_type = Some(path.into());
        self
    }

    /// The Rust type of XSD string values (default `::std::string::String`); it must implement
    /// the runtime's `XmlValue`, `Default`, `Clone`, `Debug`, `PartialEq` and `Serialize`.
    pub fn string_type(mut self, path: impl Into<String>) -> Self {
        self.config.string_type = path.into();
        self
    }

    /// Puts `serde::Serialize` of the generated types behind the cargo feature `feature` of the
    /// crate that includes them (by default they always implement it). Serializing is for
    /// applications that print or store values; the others need not compile it.
    pub fn serde_feature(mut self, feature: impl Into<String>) -> Self {
        self.config.serde_feature = Some(feature.into());
        self
    }

    /// Marks operations `names` as read-only (`OperationInfo::read_only`): they change nothing
    /// on the service, so a client may repeat one whose answer was lost. Generation fails if
    /// the WSDL has no operation of one of the names.
    pub fn read_only<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for name in names.into_iter().map(Into::into) {
            self.named_operations.push(("read_only", name.clone()));
            self.config.read_only.insert(name);
        }
        self
    }

    /// Like [`read_only`](Self::read_only), for operations a WSDL may lack (those of the
    /// vendor's full WSDL that a subset leaves out): a name the WSDL does not have is ignored.
    pub fn read_only_if_present<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config
            .read_only
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Marks operations `names` as idempotent when each object of the request carries a
    /// `CorrelationID` (`OperationInfo::idempotent_with_correlation_ids`): the service answers
    /// a repeated `CorrelationID` with the outcome of the first, so a client that gives every
    /// object one may repeat the request. Their `Operation::every_object_correlated` tells
    /// whether a request's objects all have, or will be given, one. Generation fails if the WSDL
    /// has no operation of one of the names.
    pub fn idempotent_with_correlation_ids<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for name in names.into_iter().map(Into::into) {
            self.named_operations
                .push(("idempotent_with_correlation_ids", name.clone()));
            self.config.idempotent_with_correlation_ids.insert(name);
        }
        self
    }

    /// The error type of the operation methods.
    pub fn error_type(mut self, path: impl Into<String>) -> Self {
        self.config.error_type = path.into();
        self
    }

    /// Reads the WSDL and builds its model, without rendering.
    pub fn model(&self) -> Result<Model, Error> {
        let wsdl = self
            .wsdl
            .as_ref()
            .ok_or_else(|| Error::Config("no WSDL file given".to_string()))?;
        model::load(wsdl, &self.imports)
    }

    /// Runs the whole pipeline.
    pub fn generate(&self) -> Result<Generated, Error> {
        let started = Instant::now();
        let model = self.model()?;
        for (setter, name) in &self.named_operations {
            if !model.operations.iter().any(|op| &op.name == name) {
                let known: Vec<&str> = model.operations.iter().map(|op| op.name.as_str()).collect();
                return Err(Error::Config(format!(
                    "{setter}: the WSDL has no operation {name:?} (its operations: {})",
                    known.join(", ")
                )));
            }
        }
        let code = render::render(&model, &self.config).map_err(Error::Config)?;
        let surface = surface::surface(&model);
        let (mut complex_types, mut enumerations) = (0, 0);
        for def in model.types.values() {
            match def {
                model::TypeDef::Complex(_) => complex_types += 1,
                model::TypeDef::Enum(_) => enumerations += 1,
            }
        }
        let stats = Stats {
            complex_types,
            enumerations,
            operations: model.operations.len(),
            lines: code.lines().count(),
            elapsed: started.elapsed(),
        };
        Ok(Generated {
            model,
            code,
            surface,
            stats,
        })
    }

    /// Runs the pipeline and writes the results into `out_dir`.
    pub fn compile(&self, out_dir: impl AsRef<Path>) -> Result<Generated, Error> {
        let generated = self.generate()?;
        generated.write_to(out_dir.as_ref())?;
        Ok(generated)
    }
}
