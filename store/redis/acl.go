package redis

// ACLRules are the Redis ACL rules of a least-privilege user for authgate: its keys only (the
// "ag:" prefix), no pub/sub channels, and only the commands it sends, directly or from its
// scripts, plus what rueidis needs to connect, track and discover the topology. Create it with
//
//	ACL SETUSER authgate on >PASSWORD <ACLRules>
//
// and give authgate redis://authgate:PASSWORD@host:6379.
const ACLRules = "resetkeys ~ag:* resetchannels -@all " +
	"+hello +auth +ping +select +client|tracking +client|caching +client|setname +client|id " +
	"+multi +exec +discard +readonly +cluster|slots +cluster|shards +cluster|nodes +info " +
	"+evalsha +eval +wait +time " +
	"+get +set +setrange +mget +del +hget +hmget +hset +hgetall +hlen +hdel +pttl +pexpire +pexpireat " +
	"+zadd +zrem +zrange +zremrangebyscore"
