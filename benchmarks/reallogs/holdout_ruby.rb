# Real work with Ruby's stdlib Logger (default formatter); used by collect_holdout.sh.
# Usage: ruby holdout_ruby.rb LOGFILE
require "logger"
require "net/http"
require "socket"
log = Logger.new(ARGV[0], progname: "fetcher")
log.level = Logger::DEBUG
log.info("fetcher starting, pid #{Process.pid}")
%w[/ /static.txt /nope.html /boom.php /warn.php].each do |path|
  log.debug("GET http://127.0.0.1:8903#{path}")
  res = Net::HTTP.get_response(URI("http://127.0.0.1:8903#{path}"))
  case res.code.to_i
  when 200..299 then log.info("#{path} -> #{res.code} (#{res.body.bytesize} bytes)")
  when 400..499 then log.warn("#{path} -> #{res.code} #{res.message}")
  else log.error("#{path} -> #{res.code} #{res.message}")
  end
end
begin
  TCPSocket.new("127.0.0.1", 5399)
rescue => e
  log.error(e)
end
begin
  File.read("/tmp/llhold/ruby-missing.yml")
rescue => e
  log.fatal(e)
end
def parse(s) = Integer(s)
begin
  parse("12x")
rescue ArgumentError => e
  log.error(e)
end
log.unknown("cache directory /tmp/llhold/cache is not writable")
log.add(Logger::WARN, "retrying in 1s", "scheduler")
log.info { "fetcher done" }
log.close
