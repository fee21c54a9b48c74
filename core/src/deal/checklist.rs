//! Ticking the checklist criteria of a deal's pipeline.

use crate::deal::{ChecklistTick, Deal, DealError};
use crate::id::UserId;
use crate::pipeline::{Pipeline, Rule};
use crate::timestamp::Timestamp;

impl Deal {
    /// Ticks a [`Rule::Checklist`] criterion of the deal's pipeline (e.g. 合同条款已审核),
    /// recording who and when. Ticking a ticked item keeps the first tick.
    ///
    /// Errors when `pipeline` is not the deal's or `criterion` is not one of its checklist
    /// criteria: a tick under an unknown id would never satisfy anything.
    pub fn tick_checklist(
        &mut self,
        pipeline: &Pipeline,
        criterion: &str,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), DealError> {
        if self.pipeline != pipeline.id {
            return Err(DealError::WrongPipeline {
                expected: pipeline.id.clone(),
                actual: self.pipeline.clone(),
            });
        }
        let is_checklist = pipeline
            .criterion(criterion)
            .is_some_and(|(_, found)| found.rule == Rule::Checklist);
        if !is_checklist {
            return Err(DealError::UnknownChecklistItem {
                criterion: criterion.to_owned(),
                pipeline: pipeline.id.clone(),
            });
        }
        self.checklist
            .entry(criterion.to_owned())
            .or_insert(ChecklistTick { by, at });
        Ok(())
    }

    /// Unticks a checklist criterion; returns the removed tick.
    pub fn untick_checklist(&mut self, criterion: &str) -> Option<ChecklistTick> {
        self.checklist.remove(criterion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{day, open, user};

    #[test]
    fn only_checklist_criteria_of_the_deals_pipeline_can_be_ticked() {
        let pipeline = Pipeline::template_new_business();
        let mut deal = open(&pipeline);
        deal.tick_checklist(&pipeline, "contract_reviewed", user("mgr"), day(1))
            .unwrap();
        // A second tick keeps the first.
        deal.tick_checklist(&pipeline, "contract_reviewed", user("rep-li"), day(2))
            .unwrap();
        let tick = &deal.checklist["contract_reviewed"];
        assert_eq!((&tick.by, tick.at), (&user("mgr"), day(1)));

        let not_checklist = deal.tick_checklist(&pipeline, "qualify_needs", user("mgr"), day(1));
        assert!(matches!(
            not_checklist,
            Err(DealError::UnknownChecklistItem { .. })
        ));
        let unknown = deal.tick_checklist(&pipeline, "nope", user("mgr"), day(1));
        assert!(matches!(
            unknown,
            Err(DealError::UnknownChecklistItem { .. })
        ));
        let other = Pipeline::template_solution_sales();
        let wrong = deal.tick_checklist(&other, "contract_signed", user("mgr"), day(1));
        assert!(matches!(wrong, Err(DealError::WrongPipeline { .. })));

        assert!(deal.untick_checklist("contract_reviewed").is_some());
        assert!(deal.checklist.is_empty());
    }
}
