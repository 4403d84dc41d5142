// Package xapi is the part of the Experience API 2.0 (IEEE 9274.1.1)
// hcs writes: statements of what a trainee did, for a learning record
// store, and Check, which holds a statement to the standard's rules for
// the properties used here.
package xapi

// Version is the version statements declare.
const Version = "2.0.0"

// ADL verbs the statements use.
const (
	VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	VerbPassed    = "http://adlnet.gov/expapi/verbs/passed"
	VerbFailed    = "http://adlnet.gov/expapi/verbs/failed"
)

// Activity types.
const (
	ActivityAssessment  = "http://adlnet.gov/expapi/activities/assessment"
	ActivityPerformance = "http://adlnet.gov/expapi/activities/performance"
	ActivityModule      = "http://adlnet.gov/expapi/activities/module"
	ActivityCourse      = "http://adlnet.gov/expapi/activities/course"
	ActivityMeeting     = "http://adlnet.gov/expapi/activities/meeting"
)

// Statement is one xAPI statement.
type Statement struct {
	ID        string   `json:"id"`
	Actor     Agent    `json:"actor"`
	Verb      Verb     `json:"verb"`
	Object    Activity `json:"object"`
	Result    *Result  `json:"result,omitempty"`
	Context   *Context `json:"context,omitempty"`
	Timestamp string   `json:"timestamp"`
	Version   string   `json:"version"`
	// Attachments point to files that support the statement.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file a statement points to, with its SHA-2 so that a
// learning record store can check what it fetches from FileURL.
type Attachment struct {
	UsageType   string            `json:"usageType"`
	Display     map[string]string `json:"display"`
	ContentType string            `json:"contentType"`
	Length      int64             `json:"length"`
	SHA2        string            `json:"sha2"` // SHA-256, in hex
	FileURL     string            `json:"fileUrl,omitempty"`
}

// UsageSupportingMedia is the usage type of a file that is evidence for
// what a statement says (from the xAPI vocabulary).
const UsageSupportingMedia = "http://id.tincanapi.com/attachment/supporting_media"

// Agent is a person, identified by their account on this service.
type Agent struct {
	ObjectType string  `json:"objectType"`
	Name       string  `json:"name,omitempty"`
	Account    Account `json:"account"`
}

// Account is an agent's identifier: an account on a system.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// Verb is what the actor did.
type Verb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// Activity is what they did it to.
type Activity struct {
	ObjectType string      `json:"objectType"`
	ID         string      `json:"id"`
	Definition *Definition `json:"definition,omitempty"`
}

// Definition names and types an activity.
type Definition struct {
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description,omitempty"`
	Type        string            `json:"type"`
}

// Result is how it went.
type Result struct {
	Success    *bool  `json:"success,omitempty"`
	Completion *bool  `json:"completion,omitempty"`
	Response   string `json:"response,omitempty"`
}

// Context places a statement within the curriculum.
type Context struct {
	Registration      string            `json:"registration"`
	ContextActivities ContextActivities `json:"contextActivities"`
	Platform          string            `json:"platform"`
	Language          string            `json:"language"`
}

// ContextActivities are a statement's parent (the module) and grouping
// (the curriculum).
type ContextActivities struct {
	Parent   []Activity `json:"parent,omitempty"`
	Grouping []Activity `json:"grouping,omitempty"`
}
