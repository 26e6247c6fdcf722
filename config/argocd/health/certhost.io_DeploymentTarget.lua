-- Argo CD health check for certhost.io/v1alpha1 DeploymentTarget (docs/gitops.md).
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

local deployed = condition("Deployed")
if deployed == nil then
  local ready = condition("Ready")
  if ready ~= nil and ready.status == "False" then
    hs.status = "Degraded"
    hs.message = describe(ready)
    return hs
  end
  hs.status = "Progressing"
  hs.message = "Waiting for the Deployed condition."
  return hs
end

if deployed.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(deployed)
  return hs
end

if deployed.status == "False" then
  -- No Certificate names this target yet: nothing is wrong.
  if deployed.reason == "NoTargets" then
    hs.status = "Healthy"
    hs.message = "Nothing deployed yet."
    return hs
  end
  -- Copies written, listeners being pointed, or the TLS probe not yet serving the new serial.
  if deployed.reason == "DeploymentInProgress" then
    hs.status = "Progressing"
    hs.message = describe(deployed)
    return hs
  end
  -- DeploymentFailed, DomainNotFound, DomainNotOnboarded, VerificationFailed, NamespaceNotAllowed,
  -- SecretConflict: the old certificate stays in place (R-ROLLOUT-SAFE) and the rollout is retried.
  hs.status = "Degraded"
  hs.message = describe(deployed)
  return hs
end

hs.status = "Progressing"
hs.message = describe(deployed)
return hs
