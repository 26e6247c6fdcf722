-- Argo CD health check for certhost.io/v1alpha1 Certificate (docs/gitops.md).
-- Argo CD runs this in gopher-lua (Lua 5.1) with only the base and table libraries: no string.*,
-- no math.*, no string methods. `obj` is the resource; the script returns {status, message}.
local hs = {}

local function condition(ctype)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == ctype then
      return c
    end
  end
  return nil
end

local function describe(c)
  local reason = c.reason or "Unknown"
  if c.message == nil or c.message == "" then
    return reason
  end
  return reason .. ": " .. c.message
end

-- No status yet, or status not yet computed from the current spec.
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status."
  return hs
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation) .. "."
  return hs
end

local ready = condition("Ready")
local state = obj.status.state
if ready == nil or state == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition."
  return hs
end

-- Final states: only a new Certificate (or, for ReviewFailed, a spec change) gets out of them.
if state == "Expired" or state == "Revoked" or state == "ReviewFailed" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  -- Expiring soon still serves: healthy, with a hint of what to do before notAfter.
  if state == "ExpiringSoon" then
    local notAfter = "its notAfter"
    if obj.status.current ~= nil and obj.status.current.notAfter ~= nil then
      notAfter = obj.status.current.notAfter
    end
    if obj.spec ~= nil and obj.spec.source == "Upload" then
      hs.message = hs.message .. " It expires at " .. notAfter .. "; upload its replacement."
    else
      hs.message = hs.message .. " It expires at " .. notAfter .. "; renew it (annotation certhost.io/renew) or enable hosting."
    end
  end
  return hs
end

if ready.status == "False" then
  -- On the way to a certificate: waiting for credits or quota, under review, or queued.
  if (state == "PendingApplication" or state == "UnderReview" or state == "Inactive") and ready.reason == state then
    hs.status = "Progressing"
    hs.message = describe(ready)
    return hs
  end
  -- Everything else needs a person: InvalidSpec, SecretConflict, UploadSecretNotFound, UploadInvalid.
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready)
return hs
