// Package all imports every connector type that ships with pacer, so that
// they register themselves. It holds blank imports and nothing else.
package all

import (
	_ "github.com/pacerhq/pacer/connectors/demo"
	_ "github.com/pacerhq/pacer/connectors/file"
	_ "github.com/pacerhq/pacer/connectors/ga4"
	_ "github.com/pacerhq/pacer/connectors/ga4bigquery"
	_ "github.com/pacerhq/pacer/connectors/googleads"
	_ "github.com/pacerhq/pacer/connectors/hubspot"
	_ "github.com/pacerhq/pacer/connectors/linkedin"
	_ "github.com/pacerhq/pacer/connectors/meta"
	_ "github.com/pacerhq/pacer/connectors/microsoftads"
	_ "github.com/pacerhq/pacer/connectors/oceanengine"
	_ "github.com/pacerhq/pacer/connectors/salesforce"
	_ "github.com/pacerhq/pacer/connectors/stripe"
	_ "github.com/pacerhq/pacer/connectors/tencentads"
	_ "github.com/pacerhq/pacer/connectors/tiktok"
)
