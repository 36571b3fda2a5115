Gem::Specification.new do |spec|
  spec.name = 'json'
  spec.version = Gem::Version.new("1.8.6")
end
