-- no ticket is listed below the project's minimum price (the min_price var)

select list_id, price_per_ticket
from {{ ref('stg_tickit__listings') }}
where price_per_ticket < {{ var('min_price') }}
