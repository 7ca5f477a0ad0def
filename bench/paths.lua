-- wrk script: each request GETs a random line of the file named by the first script
-- argument (`wrk ... -s bench/paths.lua URL -- FILE`), so one wrk run exercises many
-- pages of one kind (days, papers, queries) instead of one cached URL.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- Each thread its own sequence.
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
