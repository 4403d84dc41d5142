-- wrk script: cycle through search queries people type (lay words, typos,
-- abbreviations, spelling variants), one per request.
local queries = {
  "hearing+test", "audiolgy", "heart", "ECG", "MRI", "IVF", "DNA",
  "cancer+radiation+treatment", "hematology", "eyes", "lungs", "blood+transfusion",
  "wheelchair", "neurophysiolgy", "sleep+apnea", "level:practitioner+patients:none",
}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/search?q=" .. queries[i])
end
