-- Argo CD health of a Twinbuild SystemImage. Argo CD runs this with gopher-lua (Lua 5.1) and only the
-- base and table libraries: no string library, so no string methods here.
local hs = {}
local function condition(conditions, type)
  if conditions ~= nil then
    for _, c in ipairs(conditions) do
      if c.type == type then
        return c
      end
    end
  end
  return nil
end
local function message(c, default)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return default
end

local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Twinbuild operator to pick up this SystemImage"
  return hs
end
local generation = tonumber(obj.metadata.generation)
local observed = tonumber(status.observedGeneration)
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Twinbuild operator to observe generation " .. generation
  return hs
end

local stalled = condition(status.conditions, "Stalled")
if status.phase == "Reproducible" then
  hs.status = "Healthy"
  hs.message = message(condition(status.conditions, "Ready"), "Reproducible")
elseif status.phase == "Unreproducible" or status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = message(stalled, status.phase)
elseif stalled ~= nil and stalled.status == "True" then
  -- Pending or Building, but it cannot go on by itself (e.g. InsufficientNodes)
  hs.status = "Degraded"
  hs.message = message(stalled, "Stalled")
else
  hs.status = "Progressing"
  hs.message = status.phase .. ": " .. message(condition(status.conditions, "Reconciling"), "in progress")
end
return hs
