//! [`Budgeted`]: a collector that stops reading segments once a query has used its
//! time, so that no keyword query runs unbounded.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{SegmentOrdinal, SegmentReader};

/// Wraps a collector: segments reached after `deadline` are skipped (they add
/// nothing), and [`Budgeted::was_cut`] says whether any were.
pub(super) struct Budgeted<C> {
    inner: C,
    deadline: Instant,
    cut: AtomicBool,
}

impl<C> Budgeted<C> {
    pub(super) fn new(inner: C, deadline: Instant) -> Self {
        Self {
            inner,
            deadline,
            cut: AtomicBool::new(false),
        }
    }

    /// True when segments were skipped: the results are those of the segments read.
    pub(super) fn was_cut(&self) -> bool {
        self.cut.load(Ordering::Relaxed)
    }
}

impl<C: Collector> Collector for Budgeted<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        self.inner.for_segment(segment, reader)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        if Instant::now() >= self.deadline {
            self.cut.store(true, Ordering::Relaxed);
            return Ok(self.inner.for_segment(segment, reader)?.harvest());
        }
        self.inner.collect_segment(weight, segment, reader)
    }
}
