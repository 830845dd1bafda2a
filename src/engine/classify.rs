//! Stage 5: roles.
