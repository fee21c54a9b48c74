//! Validation of pipeline configurations: every problem at once, never a panic.

use std::collections::HashSet;

use super::error::{ConfigProblem, PipelineError};
use super::{ForecastCategory, Pipeline, Reason};
use crate::i18n::LocalizedText;

impl Pipeline {
    /// Checks the configuration: unique stage, criterion, template and reason ids, complete
    /// bilingual labels, at least one open stage, loss and stop reasons, and no `closed`
    /// category on an open stage. Probabilities are in range by construction.
    ///
    /// ```
    /// use dealflow_core::Pipeline;
    /// let mut pipeline = Pipeline::template_new_business();
    /// assert!(pipeline.validate().is_ok());
    /// pipeline.stages.push(pipeline.stages[0].clone());
    /// let error = pipeline.validate().unwrap_err();
    /// assert!(error.to_string().contains("stage id qualify is used twice"));
    /// ```
    pub fn validate(&self) -> Result<(), PipelineError> {
        let mut problems = Vec::new();
        check_label(&self.name, &format!("pipeline {}", self.id), &mut problems);
        if self.stages.is_empty() {
            problems.push(ConfigProblem::NoOpenStage);
        }
        let mut stage_ids = HashSet::new();
        let mut criterion_ids = HashSet::new();
        for stage in &self.stages {
            if !stage_ids.insert(&stage.id) {
                problems.push(ConfigProblem::DuplicateStage {
                    stage: stage.id.clone(),
                });
            }
            check_label(&stage.label, &format!("stage {}", stage.id), &mut problems);
            if stage.forecast_category == ForecastCategory::Closed {
                problems.push(ConfigProblem::ClosedCategoryOnOpenStage {
                    stage: stage.id.clone(),
                });
            }
            for criterion in stage.entry_criteria.iter().chain(&stage.exit_criteria) {
                if criterion.id.trim().is_empty() {
                    problems.push(ConfigProblem::EmptyId {
                        at: format!("a criterion of stage {}", stage.id),
                    });
                } else if !criterion_ids.insert(criterion.id.as_str()) {
                    problems.push(ConfigProblem::DuplicateCriterion {
                        criterion: criterion.id.clone(),
                    });
                }
                if let Some(label) = &criterion.label {
                    check_label(label, &format!("criterion {}", criterion.id), &mut problems);
                }
            }
            let mut template_ids = HashSet::new();
            for template in &stage.task_templates {
                if template.id.trim().is_empty() {
                    problems.push(ConfigProblem::EmptyId {
                        at: format!("a task template of stage {}", stage.id),
                    });
                } else if !template_ids.insert(template.id.as_str()) {
                    problems.push(ConfigProblem::DuplicateTaskTemplate {
                        stage: stage.id.clone(),
                        template: template.id.clone(),
                    });
                }
                check_label(
                    &template.title,
                    &format!("task template {}", template.id),
                    &mut problems,
                );
            }
        }
        if self.loss_reasons.is_empty() {
            problems.push(ConfigProblem::NoLossReason);
        }
        if self.stop_reasons.is_empty() {
            problems.push(ConfigProblem::NoStopReason);
        }
        check_reasons(&self.loss_reasons, "loss reason", &mut problems);
        check_reasons(&self.stop_reasons, "stop reason", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PipelineError::Invalid {
                pipeline: self.id.clone(),
                problems,
            })
        }
    }
}

fn check_label(label: &LocalizedText, at: &str, problems: &mut Vec<ConfigProblem>) {
    if label.is_incomplete() {
        problems.push(ConfigProblem::IncompleteLabel { at: at.to_owned() });
    }
}

fn check_reasons(reasons: &[Reason], kind: &str, problems: &mut Vec<ConfigProblem>) {
    let mut ids = HashSet::new();
    for reason in reasons {
        if reason.id.trim().is_empty() {
            problems.push(ConfigProblem::EmptyId {
                at: format!("a {kind}"),
            });
        } else if !ids.insert(reason.id.as_str()) {
            problems.push(ConfigProblem::DuplicateReason {
                reason: reason.id.clone(),
            });
        }
        check_label(&reason.label, &format!("{kind} {}", reason.id), problems);
    }
}
