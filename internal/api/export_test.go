package api

// TenderOf is tenderOf, for the external tests.
var TenderOf = tenderOf
