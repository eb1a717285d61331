//! [`FaultLayer`].

use std::sync::Arc;

use tower_layer::Layer;

use super::handle::Shared;
use super::{Fault, FaultBuilder, FaultHandle};

/// Applies [`Fault`] to a service. Every service this layer makes, and every clone of the
/// layer, shares one window, generator and switch.
#[derive(Clone, Debug)]
pub struct FaultLayer {
    shared: Arc<Shared>,
}

impl FaultLayer {
    /// A builder: a window of 100 calls and no faults.
    #[must_use]
    pub fn builder() -> FaultBuilder {
        FaultBuilder::default()
    }

    pub(crate) fn from_valid(builder: FaultBuilder) -> FaultLayer {
        FaultLayer {
            shared: Arc::new(Shared::new(builder.config, builder.rng)),
        }
    }

    /// The switch and the counters of this layer's faults.
    #[must_use]
    pub fn handle(&self) -> FaultHandle {
        FaultHandle::new(Arc::clone(&self.shared))
    }
}

impl<S> Layer<S> for FaultLayer {
    type Service = Fault<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Fault {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}
