//! Stage 3: lines → units.
