Gem::Specification.new do |s|
  s.summary = "nothing"
end
