-- Argo CD health check for certhost.io/v1alpha1 HostingPackage (docs/gitops.md).
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

local ready = condition("Ready")
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition."
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end

if ready.status == "False" then
  -- Expired: spends nothing new. CreditsExhausted: every credit is used or reserved. Neither ends
  -- without a person (raise spec.quantity, add a package), so Degraded rather than Progressing:
  -- Progressing would claim the operator is working towards Healthy, and Argo CD would never raise
  -- its health-degraded notification while Certificates wait for credits.
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready)
return hs
