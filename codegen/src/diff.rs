//! Diff of two models (see issue 7).
