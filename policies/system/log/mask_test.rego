package system.log_test

import data.system.log

test_mask_lists_each_configured_field_as_an_input_pointer if {
	log.mask == {"/input/context/organization", "/input/workload/name"} with data.tiergate.reference.masking.fields as [
		{"path": "context.organization"},
		{"path": "workload.name"},
	]
}

test_mask_is_empty_without_configured_fields if {
	log.mask == set() with data.tiergate.reference.masking.fields as []
}
